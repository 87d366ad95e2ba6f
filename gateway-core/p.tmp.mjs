import { loadModule, parseSync } from 'libpg-query';
await loadModule();
for (const q of process.argv.slice(2)) { try { console.log(q, '=>', JSON.stringify(parseSync(q).stmts[0]?.stmt)); } catch (e) { console.log('ERR', e.message); } }
