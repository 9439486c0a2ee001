import { confirm } from '@inquirer/prompts';

/** One yes/no question at the terminal, no by default. */
export async function askYesNo(message: string): Promise<boolean> {
  return confirm({ message, default: false });
}
