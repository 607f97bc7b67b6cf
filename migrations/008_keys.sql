-- 008: the keys of the clients allowed to talk to the server.
--
-- Every client proves who it is with its CURVE key pair; the server knows
-- the public keys it enrolled (tonghopd enroll), for which unit and role.
-- A revoked key is kept (revoked_at), for the audit trail.
CREATE TABLE client_keys (
    public_key  text PRIMARY KEY CHECK (length(public_key) = 40),
    unit_code   text NOT NULL,
    role        text NOT NULL CHECK (role IN ('commune', 'district', 'province', 'ministry', 'admin')),
    name        text,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
