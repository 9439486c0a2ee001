-- The loop saves each task several times a run, and this index moved with every save: a quarter of
-- the pages a no-op task wrote to the WAL (28 -> 21 page writes a task, 0.42 -> 0.38 ms a task at
-- 10,000 tasks). A console page's look at the tasks saved since its last one reads the project's
-- rows instead (0.8 ms at 10,000 tasks, every 150 ms while someone follows the project): the cost
-- goes to the page that asks, not to every run. (PostgreSQL keeps its index: its per-task cost is
-- its round trips, and a look there is a scan on the server.)
DROP INDEX IF EXISTS tasks_updated;
