-- Each client sets two user variables once, then loops point selects that read one of them back:
-- the application pattern (a tenant id, a user name in session variables) that pins clients to their
-- backend under RDS Proxy. A value read back that is not the client's own counts as wrong.
local con, tenant, wrong, errors, served

function thread_init()
  con = sysbench.sql.driver():connect()
  tenant = sysbench.tid + 1
  wrong, errors, served = 0, 0, 0
  local ok = pcall(function()
    con:query(string.format("SET @tenant = %d, @app_user = 'user-%d'", tenant, tenant))
  end)
  if not ok then errors = errors + 1 end
end

function event()
  local id = sysbench.rand.default(1, 10000)
  local ok, rs = pcall(function()
    return con:query(string.format("SELECT c, @tenant FROM sbtest1 WHERE id = %d", id))
  end)
  if not ok then
    errors = errors + 1
    return
  end
  local row = rs:fetch_row()
  if row == nil or tonumber(row[2]) ~= tenant then wrong = wrong + 1 end
  served = served + 1
end

function thread_done()
  print(string.format("CLIENT served=%d errors=%d wrong=%d", served, errors, wrong))
  con:disconnect()
end
