// Run by Node's mysql package (no CLIENT_DEPRECATE_EOF) through Sluice and directly; outputs must be identical.
const mysql = require('mysql');

const conn = mysql.createConnection({
  host: '127.0.0.1', port: Number(process.argv[2]), user: process.env.DB_USER, password: process.env.DB_PASSWORD,
  database: 'app', charset: 'utf8mb4_general_ci', multipleStatements: true, supportBigNumbers: true, dateStrings: true,
});
const out = [];
const q = (sql, params) => new Promise((resolve) => conn.query(sql, params, (error, results, fields) => resolve({ error, results, fields })));
const show = (r) => r.error ? `error ${r.error.errno} ${r.error.sqlState} ${r.error.sqlMessage || r.error.code}` : JSON.stringify(r.results);

(async () => {
  const types = await q('SELECT * FROM types ORDER BY id');
  out.push(types.error ? show(types) : JSON.stringify(types.fields.map((f) => [f.name, f.type, f.length, f.flags])));
  out.push(show(types));
  out.push(show(await q('SELECT 1/0')));
  out.push(show(await q('SHOW WARNINGS')));
  out.push(show(await q('CREATE TEMPORARY TABLE js (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(10))')));
  out.push(show(await q('INSERT INTO js (v) VALUES (?), (?)', ['a', 'b'])));
  out.push(show(await q("UPDATE js SET v = 'a'")));
  out.push(show(await q('SELECT 1 AS one; SELECT 2 AS two')));
  out.push(show(await q('CALL two_results(4)')));
  out.push(show(await q('SELECT * FROM no_such_table')));
  out.push(show(await q('SELECT ? AS s', ['🐟 héllo'])));
  conn.end(() => console.log(out.join('\n')));
})();
