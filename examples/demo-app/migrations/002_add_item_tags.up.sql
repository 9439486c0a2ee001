CREATE TABLE item_tags (
  item_id INTEGER NOT NULL REFERENCES items (id),
  tag TEXT NOT NULL,
  PRIMARY KEY (item_id, tag)
);
INSERT INTO item_tags (item_id, tag) VALUES (1, 'demo');
