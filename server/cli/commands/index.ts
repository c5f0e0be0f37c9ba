import type { Command } from "../command";
import { accountsList, accountsRefresh } from "./accounts";
import { attemptsList } from "./attempts";
import { keysAllowlistAdd, keysAllowlistList, keysAllowlistRemove, keysCreate, keysList, keysRevoke } from "./keys";
import { orgsCreate, orgsList } from "./orgs";
import { projectsCreate, projectsList } from "./projects";
import { secretsReencrypt } from "./secrets";
import { usersCreate, usersDisable, usersSetPassword, usersSetRole } from "./users";
import { webhooksCreate, webhooksDelete, webhooksList } from "./webhooks";

/** Every ladmin command, in the order --help lists them. A new command is its definition plus a line here. */
export const COMMANDS: readonly Command[] = [
  orgsCreate,
  orgsList,
  projectsCreate,
  projectsList,
  keysCreate,
  keysList,
  keysAllowlistAdd,
  keysAllowlistRemove,
  keysAllowlistList,
  keysRevoke,
  usersCreate,
  usersSetRole,
  usersDisable,
  usersSetPassword,
  accountsList,
  accountsRefresh,
  attemptsList,
  webhooksCreate,
  webhooksList,
  webhooksDelete,
  secretsReencrypt,
];
