//! The identity family's core operations: what every face (Layer5 in this
//! crate, the Identity API in `directory`, and those to come) and every other
//! family calls. Each rule lives here once, as a synchronous function over
//! the caller's write (or read) transaction; the family's `store` stays
//! private, so no face can change core rows past these rules.
//!
//! Functions that only read or write rows without a rule of their own are
//! re-exported from the store as they are; the ones that carry a rule are
//! written out here. The last-admin rule (`grants::AdminGuard`): whole
//! operations (delete, tombstone or unmap a team, remove a member from the
//! organization, change a membership's state) keep it themselves; the
//! building blocks of edits that touch several bindings at once (unbind a
//! role from a team, remove a team member) take the guard of the face's
//! operation, which checks once at its end, so that one request may move the
//! admin role between holders and no operation can skip the check.

pub mod grants;
pub mod invitations;
pub mod orgs;
pub mod roles;
pub mod teams;
pub mod tokens;
pub mod usage;
pub mod users;
