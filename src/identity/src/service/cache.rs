//! The cache of resolved credentials: a principal with its grants, trusted for
//! a short time without a database lookup, and dropped or patched the moment a
//! committed change alters what it may do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meshcloud_kernel::access::OrgGrant;
use meshcloud_kernel::crypto::ct_eq;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::{self, Timestamp};

use crate::store::tokens::Kind;

/// Entries kept before the cache is cleared wholesale.
const CACHE_MAX: usize = 50_000;

pub(crate) struct Cached {
    pub principal: Principal,
    pub hash: Vec<u8>,
    pub kind: Kind,
    pub expires_at: Option<Timestamp>,
    pub until: Instant,
    pub stamp: Stamp,
}

/// Taken before a principal is read from the database. Every invalidation
/// advances `seq` and records it for the user (or advances `global`), so a
/// principal whose read may predate a committed change is never served:
/// its stamp is older than the user's last invalidation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    global: u64,
    seq: u64,
}

/// A committed change to grants, applied to the cache after the commit.
#[derive(Debug, Default)]
pub enum Affected {
    #[default]
    Nobody,
    Users(Vec<UserId>),
    Everyone,
    /// The user joined an org: cached principals gain it in place, so a
    /// user in thousands of orgs is not re-read on every org they create.
    Joined {
        user: UserId,
        org: uuid::Uuid,
        grant: OrgGrant,
    },
}

pub(crate) struct AuthCache {
    pub ttl: Duration,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    live: HashMap<uuid::Uuid, Cached>,
    by_user: HashMap<UserId, Vec<uuid::Uuid>>,
    /// Credentials revoked within the last TTL: a lookup that read the row just
    /// before the revoke committed must not put it back into the cache.
    revoked: HashMap<uuid::Uuid, Instant>,
    global: u64,
    seq: u64,
    /// The `seq` of each user's last invalidation. Never cleared: that would
    /// make an in-flight read look fresh again.
    users: HashMap<UserId, u64>,
}

impl Entries {
    fn fresh(&self, user: UserId, s: Stamp) -> bool {
        s.global == self.global && self.users.get(&user).copied().unwrap_or(0) <= s.seq
    }

    fn drop_user(&mut self, user: UserId) {
        self.seq += 1;
        self.users.insert(user, self.seq);
        for id in self.by_user.remove(&user).unwrap_or_default() {
            self.live.remove(&id);
        }
    }
}

impl AuthCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        AuthCache { ttl, entries: Mutex::new(Entries::default()) }
    }

    /// A poisoned lock yields a stamp nothing matches, so nothing is cached.
    pub(crate) fn stamp(&self) -> Stamp {
        self.entries
            .lock()
            .map(|m| Stamp { global: m.global, seq: m.seq })
            .unwrap_or(Stamp { global: u64::MAX, seq: 0 })
    }

    pub(crate) fn get(&self, id: &uuid::Uuid, secret_hash: &[u8], session: bool) -> Option<Principal> {
        let map = self.entries.lock().ok()?;
        let c = map.live.get(id)?;
        let fresh = c.until > Instant::now()
            && c.expires_at.is_none_or(|e| e > time::now())
            && map.fresh(c.principal.user, c.stamp);
        (fresh && c.kind.is_bearer() != session && ct_eq(&c.hash, secret_hash)).then(|| c.principal.clone())
    }

    pub(crate) fn put(&self, id: uuid::Uuid, c: Cached) {
        let Ok(mut map) = self.entries.lock() else { return };
        let now = Instant::now();
        let ttl = self.ttl;
        map.revoked.retain(|_, at| now.duration_since(*at) < ttl);
        if map.revoked.contains_key(&id) || !map.fresh(c.principal.user, c.stamp) {
            return;
        }
        if map.live.len() >= CACHE_MAX {
            map.live.clear();
            map.by_user.clear();
        }
        map.by_user.entry(c.principal.user).or_default().push(id);
        map.live.insert(id, c);
    }

    pub(crate) fn forget(&self, id: &uuid::Uuid) {
        if let Ok(mut map) = self.entries.lock() {
            map.live.remove(id);
            map.revoked.insert(*id, Instant::now());
        }
    }

    /// Applies a change after it has committed.
    pub(crate) fn apply(&self, a: Affected) {
        let Ok(mut map) = self.entries.lock() else { return };
        match a {
            Affected::Nobody => {}
            Affected::Users(users) => users.into_iter().for_each(|u| map.drop_user(u)),
            Affected::Everyone => {
                map.global += 1;
                map.live.clear();
                map.by_user.clear();
            }
            Affected::Joined { user, org, grant } => {
                map.seq += 1;
                let stamp = Stamp { global: map.global, seq: map.seq };
                map.users.insert(user, stamp.seq);
                let ids = map.by_user.get(&user).cloned().unwrap_or_default();
                for id in ids {
                    if let Some(c) = map.live.get_mut(&id) {
                        let mut g = (*c.principal.grants).clone();
                        g.orgs.insert(org, grant.clone());
                        c.principal.grants = Arc::new(g);
                        c.stamp = stamp;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use meshcloud_kernel::access::Grants;
    use meshcloud_kernel::ids::TokenId;

    use super::*;

    fn cached(user: i64, stamp: Stamp) -> Cached {
        Cached {
            principal: Principal {
                user: UserId(user),
                user_uuid: uuid::Uuid::nil(),
                email: "a@b.example".into(),
                provider_admin: false,
                token: TokenId(1),
                via_session: false,
                grants: Arc::new(Grants::default()),
            },
            hash: vec![1],
            kind: Kind::Api,
            expires_at: None,
            until: Instant::now() + Duration::from_secs(60),
            stamp,
        }
    }

    /// A principal read before a change committed is never served after it,
    /// even when it reaches the cache after the invalidation.
    #[test]
    fn reads_older_than_an_invalidation_are_not_cached() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let (id, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let before = cache.stamp();
        cache.apply(Affected::Users(vec![UserId(7)]));
        cache.put(id, cached(7, before));
        assert!(cache.get(&id, &[1], false).is_none());
        // Someone else's invalidation does not spoil this user's read.
        cache.put(other, cached(8, before));
        assert!(cache.get(&other, &[1], false).is_some());

        cache.put(id, cached(7, cache.stamp()));
        assert!(cache.get(&id, &[1], false).is_some());
        cache.apply(Affected::Everyone);
        assert!(cache.get(&id, &[1], false).is_none() && cache.get(&other, &[1], false).is_none());
    }

    /// Joining an org patches cached principals instead of dropping them.
    #[test]
    fn joining_an_org_updates_cached_grants() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let id = uuid::Uuid::now_v7();
        let before = cache.stamp();
        cache.put(id, cached(7, cache.stamp()));
        let org = uuid::Uuid::now_v7();
        let grant = OrgGrant { org: meshcloud_kernel::ids::OrgId(3), perms: Default::default() };
        cache.apply(Affected::Joined { user: UserId(7), org, grant });
        let p = cache.get(&id, &[1], false).expect("still cached");
        assert!(p.grants.is_member(org));
        // A read that started before the join is stale.
        let late = uuid::Uuid::now_v7();
        cache.put(late, cached(7, before));
        assert!(cache.get(&late, &[1], false).is_none());
    }
}
