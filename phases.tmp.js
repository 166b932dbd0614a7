const t0=process.hrtime.bigint(); const ms=()=>Number(process.hrtime.bigint()-t0)/1e6;
const m=(n)=>{ const s=ms(); const r=require(n); console.log(n.padEnd(40), (ms()-s).toFixed(0)); return r; };
m('cdktf'); m('zod'); m('yaml'); 
const cat=m('./dist/lib/catalog'); const {synthCatalog}=m('./dist/synth/synth');
let s=ms(); const c=cat.loadCatalog('config'); console.log('loadCatalog', (ms()-s).toFixed(0));
s=ms(); synthCatalog(c,'/work/ph-out'); console.log('synth', (ms()-s).toFixed(0));
for (let i=0;i<3;i++){s=ms(); cat.loadCatalog('config'); console.log('load warm', (ms()-s).toFixed(0)); s=ms(); synthCatalog(c,'/work/ph-out'); console.log('synth warm', (ms()-s).toFixed(0));}
console.log('total', ms().toFixed(0));
