const t=performance.now();
await Promise.all(process.argv.slice(2).map((m)=>import(m)));
console.log('import', (performance.now()-t).toFixed(1));
