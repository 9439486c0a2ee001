-- What a machine's queue file held for a task before a status write of the loop's that may not
-- have landed: the mark is saved (with `was`) before the file is written, and `was` cleared once
-- it is. A file still holding `was` after a crash is the loop's own write that did not land, never
-- a person's edit (which would set a task the store had finished back to run again).
ALTER TABLE file_marks ADD COLUMN was text;
