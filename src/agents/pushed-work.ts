import { simpleGit, type SimpleGit } from 'simple-git';

// Coding work that does not stay on one machine (issue 23, item 7): with `git.push: true` and a
// remote in the project file, a coding task's branch goes to the remote after each checkpoint, and
// a dependent that runs on another machine starts from its dependencies' pushed branches.

/** Where a task's work was pushed: what `status` says. */
export interface PushedWork {
  remote: string;
  branch: string;
  commit: string;
}

// No prompt: git never waits for a person here (push and fetch open no editor or pager; simple-git
// refuses to pass those variables on at all).
function gitIn(dir: string): SimpleGit {
  const env: Record<string, string | undefined> = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of ['EDITOR', 'VISUAL', 'GIT_EDITOR', 'PAGER', 'GIT_PAGER']) delete env[name];
  return simpleGit(dir).env(env);
}

/** The fetched copy of a task's branch, beside the person's own refs. */
const fetchedRef = (branch: string): string => `refs/autonomous-loop/fetched/${branch}`;

/** Pushes the task's branch to the remote (a fast-forward of the remote's branch of the same name). */
export async function pushTaskBranch(repo: string, remote: string, branch: string): Promise<PushedWork> {
  const git = gitIn(repo);
  const commit = (await git.revparse([`refs/heads/${branch}`])).trim();
  await git.push(remote, `refs/heads/${branch}:refs/heads/${branch}`);
  return { remote, branch, commit };
}

/**
 * The tips of the given task branches on the remote, fetched: what a dependent starts from. A
 * branch the remote does not have (a dependency that is no coding task, or ran without push) is
 * left out; the remote unreachable throws.
 */
export async function fetchTaskBranches(repo: string, remote: string, branches: readonly string[]): Promise<string[]> {
  if (branches.length === 0) return [];
  const git = gitIn(repo);
  const listed = await git.listRemote(['--heads', remote, ...branches.map((b) => `refs/heads/${b}`)]);
  const there = new Set(listed.split('\n').map((l) => l.split('\t')[1]?.trim()).filter((r): r is string => Boolean(r)));
  const found = branches.filter((b) => there.has(`refs/heads/${b}`));
  if (found.length === 0) return [];
  await git.raw(['fetch', '-q', remote, ...found.map((b) => `+refs/heads/${b}:${fetchedRef(b)}`)]);
  return Promise.all(found.map(async (b) => (await git.revparse([fetchedRef(b)])).trim()));
}
