-- The serverless pattern: every event opens a connection, runs one query and disconnects,
-- as a Lambda handler that does not reuse its connection would.
function event()
  local con = sysbench.sql.driver():connect()
  con:query("SELECT 1")
  con:disconnect()
end
