-- 009: who did what. One row for every write (a submission, a plan or a
-- catalogue published) whatever its outcome, and for every refusal of any
-- request, including a handshake refused for an unknown or revoked key.
--
-- The server writes these rows in batches from its own thread, a fraction
-- of a second after the answer went out (tonghopd audit shows them). No
-- value a unit reported is kept here: codes only.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    public_key  text NOT NULL,          -- the client's CURVE key; '' when the server runs --insecure
    unit_code   text,                   -- the key's unit, when enrolled
    role        text,                   -- the key's role, when enrolled
    request     text NOT NULL,          -- 'submission', 'report', 'plan publish', ..., 'handshake'
    target      text,                   -- the unit or plan the request named
    outcome     text NOT NULL,          -- 'STORED', 'DUPLICATE', 'ACCEPTED', or an error code such as 'FORBIDDEN'
    field       text,                   -- for a refusal: the field it named
    detail      text,                   -- for a refusal: why, without reported values
    peer        text,                   -- the client's network address
    request_id  text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_key_idx ON audit_log (public_key, at);
