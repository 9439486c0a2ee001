-- Verified approvals (issue 24): the signature a decision was given with (JSON: the payload
-- signed, the armored `ssh-keygen -Y sign` signature, the key), beside the record that carries it
-- too; `history --verify` checks that both agree and that the signature still verifies.
ALTER TABLE decisions ADD COLUMN signature TEXT;
