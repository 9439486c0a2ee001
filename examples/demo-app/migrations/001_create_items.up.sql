CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);
INSERT INTO items (name) VALUES ('first item'), ('second item');
