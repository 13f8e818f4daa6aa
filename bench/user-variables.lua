-- Each client sets two user variables once, then loops point selects that read one of them back:
-- the application pattern (a tenant id, a user name in session variables) that pins clients to their
-- backend under RDS Proxy. A value read back that is not the client's own counts as wrong.
local con, tenant, wrong, errors, served, set_ok

function thread_init()
  tenant = sysbench.tid + 1
  wrong, errors, served = 0, 0, 0
  -- A client that cannot even log in (its schema needs a backend, and pinned clients hold them all) is an error,
  -- not the end of the run.
  local connected, c = pcall(function() return sysbench.sql.driver():connect() end)
  if not connected then
    errors = errors + 1
    return
  end
  con = c
  set_ok = pcall(function()
    con:query(string.format("SET @tenant = %d, @app_user = 'user-%d'", tenant, tenant))
  end)
  if not set_ok then errors = errors + 1 end
end

function event()
  if con == nil then
    -- Never connected: nothing to run (the error was counted once).
    os.execute("sleep 0.1")
    return
  end
  local id = sysbench.rand.default(1, 10000)
  local ok, rs = pcall(function()
    return con:query(string.format("SELECT c, @tenant FROM sbtest1 WHERE id = %d", id))
  end)
  if not ok then
    errors = errors + 1
    return
  end
  local row = rs:fetch_row()
  -- A client whose SET failed (the pool was full) must read its variable as never set, not another's value.
  local expected = set_ok and tenant or nil
  if row == nil or (row[2] ~= nil and tonumber(row[2]) or nil) ~= expected then wrong = wrong + 1 end
  served = served + 1
end

function thread_done()
  print(string.format("CLIENT served=%d errors=%d wrong=%d", served, errors, wrong))
  if con ~= nil then con:disconnect() end
end
