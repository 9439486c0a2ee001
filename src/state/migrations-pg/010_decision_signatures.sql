-- Mirror of SQLite's 010_decision_signatures (issue 24): the signature a decision was given with,
-- beside the record that carries it too; `history --verify` checks both.
ALTER TABLE decisions ADD COLUMN signature text;
