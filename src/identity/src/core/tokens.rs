//! Credentials other families issue on an account: service-account tokens,
//! OAuth access tokens. They resolve to a principal like every other token.

pub use crate::store::tokens::{
    Kind, NewToken, insert, is_live, revoke_all_of, revoke_ids, revoke_of_client, set_oauth_client,
};
