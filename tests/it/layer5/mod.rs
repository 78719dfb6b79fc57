//! The Layer5 Cloud face (`/api/identity`, `/api/auth`, `/api/organizations`,
//! `/api/meshcloud`): organizations, teams, roles, keys, tokens,
//! invitations, sign-up, badges, profile, sessions, passwords and permissions.

mod access_matrix;
mod accounts;
mod badges;
mod domains;
mod escalation;
mod grant_updates;
mod invitations;
mod keys;
mod org_users;
mod orgs;
mod passwords;
mod permissions;
mod profile;
mod roles;
mod search;
mod session;
mod signup;
mod teams;
mod tokens;
