// Logs in as DB_USER with DB_PASSWORD, runs one query, and prints what Node's mysql reports:
// "ok <value>" or "error <errno> <sqlState> <sqlMessage>".
const mysql = require('mysql');

const conn = mysql.createConnection({
  host: '127.0.0.1', port: Number(process.argv[2]), user: process.env.DB_USER, password: process.env.DB_PASSWORD,
  connectTimeout: 30000,
});
conn.query('SELECT 1 AS one', (error, results) => {
  console.log(error ? `error ${error.errno} ${error.sqlState} ${error.sqlMessage}` : `ok ${results[0].one}`);
  conn.destroy();
});
