import type { ProjectFile } from '../project-files.js';

/** A place where the code reads an environment variable. */
export interface EnvRead {
  name: string;
  file: ProjectFile;
  line: number;
  /** The literal the code falls back to when the variable is unset, when it is a string literal. */
  defaultValue?: string;
  /** A settings-class field with a default: the service runs without the variable. */
  optional?: boolean;
  /** Settings classes (pydantic) match variables whatever their case. */
  caseInsensitive?: boolean;
  /** How it is read, for the evidence: `process.env`, `os.getenv`, `BaseSettings`, … */
  via: string;
}
