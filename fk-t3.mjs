import { create } from 'fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const font=create(readFileSync(require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf')));
font.layout('warm');
const words=[]; const letters='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
let seed=1; const r=()=>{seed=(seed*16807)%2147483647; return seed/2147483647;};
for(let i=0;i<5000;i++){let w='';const n=2+Math.floor(r()*8);for(let j=0;j<n;j++)w+=letters[Math.floor(r()*(j?26:52))];words.push(w+(r()<0.2?',':''));}
const a=performance.now(); for(const w of words) font.layout(w); const b=performance.now();
console.log('per word ms', ((b-a)/words.length).toFixed(3));
