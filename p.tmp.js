const t0=Date.now(); const cat=require('./dist/lib/catalog'); const {synthCatalog}=require('./dist/synth/synth');
const c=cat.loadCatalog('/tmp/gen1k'); const t1=Date.now(); console.log('load', t1-t0);
synthCatalog(c,'/work/gen1k-out'); console.log('synth', Date.now()-t1);
