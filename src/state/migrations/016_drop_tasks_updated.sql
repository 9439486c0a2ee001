-- The loop saves each task several times a run, and this index moved two of its pages with every
-- save (a quarter of the pages a no-op task wrote to the WAL). A console page's look at the tasks
-- saved since its last one reads the project's rows instead (its primary key's prefix), only
-- while someone follows the project: the cost goes to the page that asks, not to every run.
DROP INDEX IF EXISTS tasks_updated;
