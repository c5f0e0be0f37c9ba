import type { Command } from "../command";
import { accountsRefresh } from "./accounts";
import { keysAllowlistAdd, keysAllowlistList, keysAllowlistRemove, keysCreate, keysRevoke } from "./keys";
import { orgsCreate } from "./orgs";
import { projectsCreate } from "./projects";
import { secretsReencrypt } from "./secrets";
import { usersCreate, usersDisable, usersSetPassword, usersSetRole } from "./users";
import { webhooksCreate, webhooksDelete, webhooksList } from "./webhooks";

/** Every ladmin command, in the order --help lists them. A new command is its definition plus a line here. */
export const COMMANDS: readonly Command[] = [
  orgsCreate,
  projectsCreate,
  keysCreate,
  keysAllowlistAdd,
  keysAllowlistRemove,
  keysAllowlistList,
  keysRevoke,
  usersCreate,
  usersSetRole,
  usersDisable,
  usersSetPassword,
  accountsRefresh,
  webhooksCreate,
  webhooksList,
  webhooksDelete,
  secretsReencrypt,
];
