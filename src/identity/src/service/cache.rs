//! The cache of resolved credentials and of each user's grants.
//!
//! A credential (token or session) is trusted for a short time (`ttl`)
//! without a database lookup; its grants belong to the user, not to the
//! credential, and are resolved once per user however many credentials and
//! concurrent requests need them (single flight). Grants are exact without
//! any expiry: every committed change that alters them reports an `Affected`
//! which is applied here after the commit, in place where it concerns one org.
//! The `ttl` only schedules a background re-resolution for changes made by
//! another process (the command-line tools write the same database); requests
//! keep using the current grants meanwhile (stale-while-revalidate).
//!
//! Ordering: every change advances `seq`. A resolution records the `seq` it
//! started at and never overwrites what a later change set, so grants read
//! before a change are never served after it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meshcloud_kernel::AppResult;
use meshcloud_kernel::access::{Grants, OrgGrant};
use meshcloud_kernel::crypto::ct_eq;
use meshcloud_kernel::ids::{OrgId, TokenId, UserId};
use meshcloud_kernel::time::{self, Timestamp};

use crate::store::tokens::Kind;

/// Credentials (and, separately, users) kept before that map is cleared wholesale.
const CACHE_MAX: usize = 50_000;

/// A resolved credential, without its grants.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    pub user: UserId,
    pub user_uuid: uuid::Uuid,
    pub email: String,
    pub provider_admin: bool,
    pub token: TokenId,
    pub hash: Vec<u8>,
    pub kind: Kind,
    /// May it call meshcloud's APIs? Every kind may, but an OAuth access
    /// token only with the API scope.
    pub api: bool,
    pub expires_at: Option<Timestamp>,
    pub until: Instant,
    pub stamp: Stamp,
}

/// Taken before something is read from the database: what was read may
/// predate any change with a larger `seq`, or any `global` advance.
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
    /// Anything about these users may have changed (their account, their
    /// credentials, grants in several orgs): their credentials are read
    /// again and their grants resolved again in full.
    Users(Vec<UserId>),
    /// What these users hold in one org changed (a role binding, a team or
    /// team membership, their membership's state or removal, the org's
    /// deletion): only that org's grant is resolved again, O(that org).
    InOrg { org: OrgId, users: Vec<UserId> },
    /// Changes that reach every holder of a role or key (a role's keychains,
    /// a keychain's keys, deleting either): everything is dropped and
    /// resolved again on demand. Rare, and who holds what is not known here.
    Everyone,
    /// The user joined an org with a grant computed in the same transaction:
    /// patched in place, so a user in thousands of orgs is not resolved
    /// again on every org they create.
    Joined { user: UserId, org: uuid::Uuid, grant: OrgGrant },
}

/// What a resolution reads.
#[derive(Debug, Clone)]
pub(crate) enum Job {
    Whole { user: UserId, provider_admin: bool },
    Orgs { user: UserId, orgs: Vec<OrgId> },
}

/// What it read: every grant, or the listed orgs' (`None`: not a live active
/// member any more).
#[derive(Debug)]
pub(crate) enum Resolved {
    Whole(Grants),
    Orgs(Vec<(OrgId, Option<(uuid::Uuid, OrgGrant)>)>),
}

/// One resolution of one user's grants; every request that needs it waits
/// on the same cell.
pub(crate) struct Flight {
    stamp: Stamp,
    job: Job,
    /// For `Job::Orgs`: the grants the result is merged into for its waiters.
    base: Arc<Grants>,
    started: Instant,
    cell: tokio::sync::OnceCell<Arc<Grants>>,
}

impl Flight {
    pub(crate) fn job(&self) -> Job {
        self.job.clone()
    }
}

/// What a request finds for its user.
pub(crate) enum Lookup {
    /// Current grants, and a background refresh to start if one is due.
    Ready(Arc<Grants>, Option<Arc<Flight>>),
    /// Grants must be (re)read first: wait for this resolution.
    Wait(Arc<Flight>),
}

/// A user's resolved grants and what has happened to them since.
struct UserGrants {
    grants: Arc<Grants>,
    /// When the last whole resolution started.
    loaded: Instant,
    /// Orgs whose grant must be read again before anything is served.
    dirty: HashMap<OrgId, u64>,
    /// The `seq` of the last change to each org's grant: an older resolution
    /// does not overwrite it.
    touched: HashMap<OrgId, u64>,
    /// The `seq` of the last change of any kind: a resolution started before
    /// it cannot answer requests that arrive after it.
    last: u64,
    flight: Option<Arc<Flight>>,
}

pub(crate) struct AuthCache {
    pub ttl: Duration,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    live: HashMap<uuid::Uuid, Credential>,
    by_user: HashMap<UserId, Vec<uuid::Uuid>>,
    /// Credentials revoked within the last TTL: a lookup that read the row just
    /// before the revoke committed must not put it back into the cache.
    revoked: HashMap<uuid::Uuid, Instant>,
    global: u64,
    seq: u64,
    /// The `seq` of each user's last `Users` change (credentials and whole
    /// grants). Never cleared: that would make an in-flight read look fresh.
    users: HashMap<UserId, u64>,
    grants: HashMap<UserId, UserGrants>,
    /// A whole resolution not yet stored, per user (for lookups that find no
    /// entry at all).
    pending: HashMap<UserId, Arc<Flight>>,
}

impl Entries {
    fn stamp(&self) -> Stamp {
        Stamp { global: self.global, seq: self.seq }
    }

    fn fresh(&self, user: UserId, s: Stamp) -> bool {
        s.global == self.global && self.users.get(&user).copied().unwrap_or(0) <= s.seq
    }

    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn flight(&self, job: Job, base: Arc<Grants>) -> Arc<Flight> {
        Arc::new(Flight { stamp: self.stamp(), job, base, started: Instant::now(), cell: Default::default() })
    }
}

impl AuthCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        AuthCache { ttl, entries: Mutex::new(Entries::default()) }
    }

    /// A poisoned lock yields a stamp nothing matches, so nothing is cached.
    pub(crate) fn stamp(&self) -> Stamp {
        self.entries.lock().map(|m| m.stamp()).unwrap_or(Stamp { global: u64::MAX, seq: 0 })
    }

    pub(crate) fn get(&self, id: &uuid::Uuid, secret_hash: &[u8], session: bool) -> Option<Credential> {
        let map = self.entries.lock().ok()?;
        let c = map.live.get(id)?;
        let fresh =
            c.until > Instant::now() && c.expires_at.is_none_or(|e| e > time::now()) && map.fresh(c.user, c.stamp);
        (fresh && c.kind.is_bearer() != session && ct_eq(&c.hash, secret_hash)).then(|| c.clone())
    }

    pub(crate) fn put(&self, id: uuid::Uuid, c: Credential) {
        let Ok(mut map) = self.entries.lock() else { return };
        let now = Instant::now();
        let ttl = self.ttl;
        map.revoked.retain(|_, at| now.duration_since(*at) < ttl);
        if map.revoked.contains_key(&id) || !map.fresh(c.user, c.stamp) {
            return;
        }
        if map.live.len() >= CACHE_MAX {
            map.live.clear();
            map.by_user.clear();
        }
        map.by_user.entry(c.user).or_default().push(id);
        map.live.insert(id, c);
    }

    pub(crate) fn forget(&self, id: &uuid::Uuid) {
        if let Ok(mut map) = self.entries.lock() {
            map.live.remove(id);
            map.revoked.insert(*id, Instant::now());
        }
    }

    /// The user's grants if they are current, else the resolution to wait
    /// for (started here if none that can answer is under way).
    pub(crate) fn lookup(&self, user: UserId, provider_admin: bool) -> Lookup {
        let Ok(mut guard) = self.entries.lock() else {
            // Nothing can be stored; every request resolves on its own.
            let f = Flight {
                stamp: Stamp { global: u64::MAX, seq: 0 },
                job: Job::Whole { user, provider_admin },
                base: Arc::default(),
                started: Instant::now(),
                cell: Default::default(),
            };
            return Lookup::Wait(Arc::new(f));
        };
        let map = &mut *guard;
        let whole = Job::Whole { user, provider_admin };
        let Some(e) = map.grants.get(&user) else {
            if let Some(f) = map.pending.get(&user).filter(|f| map.fresh(user, f.stamp)) {
                return Lookup::Wait(f.clone());
            }
            let f = map.flight(whole, Arc::default());
            map.pending.insert(user, f.clone());
            return Lookup::Wait(f);
        };
        let usable = |f: &&Arc<Flight>| f.stamp.global == map.global && f.stamp.seq >= e.last;
        if e.dirty.is_empty() {
            if e.grants.provider_admin != provider_admin {
                // The account changed under a credential still cached; its
                // `Users` change drops both shortly. Served as the account is.
                let mut g = (*e.grants).clone();
                g.provider_admin = provider_admin;
                return Lookup::Ready(Arc::new(g), None);
            }
            let grants = e.grants.clone();
            if e.flight.is_some() || e.loaded.elapsed() < self.ttl {
                return Lookup::Ready(grants, None);
            }
            let f = map.flight(whole, Arc::default());
            if let Some(e) = map.grants.get_mut(&user) {
                e.flight = Some(f.clone());
            }
            return Lookup::Ready(grants, Some(f));
        }
        if let Some(f) = e.flight.as_ref().filter(usable) {
            let covers = match &f.job {
                Job::Whole { .. } => true,
                Job::Orgs { orgs, .. } => e.dirty.keys().all(|o| orgs.contains(o)),
            };
            if covers {
                return Lookup::Wait(f.clone());
            }
        }
        let job = Job::Orgs { user, orgs: e.dirty.keys().copied().collect() };
        let f = map.flight(job, e.grants.clone());
        if let Some(e) = map.grants.get_mut(&user) {
            e.flight = Some(f.clone());
        }
        Lookup::Wait(f)
    }

    /// The user's grants: the current ones, or after the one resolution
    /// that every concurrent request of the user waits for. A due background
    /// refresh is handed back for the caller to run off the request.
    pub(crate) async fn grants<F, Fut>(
        &self,
        user: UserId,
        provider_admin: bool,
        resolve: F,
    ) -> AppResult<(Arc<Grants>, Option<Arc<Flight>>)>
    where
        F: FnOnce(Job) -> Fut,
        Fut: Future<Output = AppResult<Resolved>>,
    {
        match self.lookup(user, provider_admin) {
            Lookup::Ready(g, refresh) => Ok((g, refresh)),
            Lookup::Wait(f) => Ok((self.run(user, &f, resolve).await?, None)),
        }
    }

    /// Runs `flight` unless someone else already does (then waits for them).
    pub(crate) async fn run<F, Fut>(&self, user: UserId, flight: &Arc<Flight>, resolve: F) -> AppResult<Arc<Grants>>
    where
        F: FnOnce(Job) -> Fut,
        Fut: Future<Output = AppResult<Resolved>>,
    {
        let g = flight
            .cell
            .get_or_try_init(|| async {
                match resolve(flight.job()).await {
                    Ok(r) => Ok(self.install(user, flight, r)),
                    Err(e) => {
                        self.abandon(user, flight);
                        Err(e)
                    }
                }
            })
            .await?;
        Ok(g.clone())
    }

    fn abandon(&self, user: UserId, flight: &Arc<Flight>) {
        let Ok(mut map) = self.entries.lock() else { return };
        if let Some(e) = map.grants.get_mut(&user)
            && e.flight.as_ref().is_some_and(|f| Arc::ptr_eq(f, flight))
        {
            e.flight = None;
        }
        if map.pending.get(&user).is_some_and(|f| Arc::ptr_eq(f, flight)) {
            map.pending.remove(&user);
        }
    }

    /// Stores what a resolution read, except what a later change already
    /// set or made stale; returns what its waiters get.
    fn install(&self, user: UserId, flight: &Arc<Flight>, r: Resolved) -> Arc<Grants> {
        let s = flight.stamp;
        let answer = match r {
            Resolved::Whole(g) => Arc::new(g),
            Resolved::Orgs(found) => {
                let mut g = (*flight.base).clone();
                merge(&mut g, &found);
                let Ok(mut guard) = self.entries.lock() else { return Arc::new(g) };
                let map = &mut *guard;
                if s.global == map.global
                    && let Some(e) = map.grants.get_mut(&user)
                {
                    let newer = |o: &OrgId| e.touched.get(o).is_some_and(|t| *t > s.seq);
                    let found: Vec<_> = found.into_iter().filter(|(o, _)| !newer(o)).collect();
                    merge(Arc::make_mut(&mut e.grants), &found);
                    for (o, _) in &found {
                        e.dirty.remove(o);
                    }
                    if e.flight.as_ref().is_some_and(|f| Arc::ptr_eq(f, flight)) {
                        e.flight = None;
                    }
                }
                return Arc::new(g);
            }
        };
        let Ok(mut guard) = self.entries.lock() else { return answer };
        let map = &mut *guard;
        if map.pending.get(&user).is_some_and(|f| Arc::ptr_eq(f, flight)) {
            map.pending.remove(&user);
        }
        if !map.fresh(user, s) {
            return answer;
        }
        if map.grants.len() >= CACHE_MAX && !map.grants.contains_key(&user) {
            map.grants.clear();
        }
        let mut grants = (*answer).clone();
        let entry = match map.grants.remove(&user) {
            Some(mut e) => {
                // Orgs changed after this resolution started keep what the
                // change set; those still dirty are read again anyway.
                for (o, t) in &e.touched {
                    if *t > s.seq {
                        grants.orgs.retain(|_, g| g.org != *o);
                        if let Some((u, g)) = e.grants.orgs.iter().find(|(_, g)| g.org == *o) {
                            grants.orgs.insert(*u, g.clone());
                        }
                    }
                }
                e.dirty.retain(|_, t| *t > s.seq);
                e.grants = Arc::new(grants);
                e.loaded = flight.started;
                if e.flight.as_ref().is_some_and(|f| Arc::ptr_eq(f, flight)) {
                    e.flight = None;
                }
                e
            }
            None => UserGrants {
                grants: answer.clone(),
                loaded: flight.started,
                dirty: HashMap::new(),
                touched: HashMap::new(),
                last: s.seq,
                flight: None,
            },
        };
        map.grants.insert(user, entry);
        answer
    }

    /// Applies a change after it has committed.
    pub(crate) fn apply(&self, a: Affected) {
        let Ok(mut guard) = self.entries.lock() else { return };
        let map = &mut *guard;
        match a {
            Affected::Nobody => {}
            Affected::Users(users) => {
                for u in users {
                    let seq = map.next();
                    map.users.insert(u, seq);
                    map.grants.remove(&u);
                    map.pending.remove(&u);
                    for id in map.by_user.remove(&u).unwrap_or_default() {
                        map.live.remove(&id);
                    }
                }
            }
            Affected::InOrg { org, users } => {
                for u in users {
                    let seq = map.next();
                    if let Some(e) = map.grants.get_mut(&u) {
                        e.dirty.insert(org, seq);
                        e.touched.insert(org, seq);
                        e.last = seq;
                    } else if map.pending.remove(&u).is_some() {
                        // A first resolution under way may have read the org
                        // before the change: it must not be stored.
                        map.users.insert(u, seq);
                    }
                }
            }
            Affected::Everyone => {
                map.global += 1;
                map.live.clear();
                map.by_user.clear();
                map.grants.clear();
                map.pending.clear();
            }
            Affected::Joined { user, org, grant } => {
                let seq = map.next();
                if let Some(e) = map.grants.get_mut(&user) {
                    e.dirty.remove(&grant.org);
                    e.touched.insert(grant.org, seq);
                    e.last = seq;
                    Arc::make_mut(&mut e.grants).orgs.insert(org, grant);
                } else if map.pending.remove(&user).is_some() {
                    // A first resolution under way may have missed the new org.
                    map.users.insert(user, seq);
                }
            }
        }
    }
}

/// Puts each org's new grant in place of its old one (or removes it).
fn merge(g: &mut Grants, found: &[(OrgId, Option<(uuid::Uuid, OrgGrant)>)]) {
    for (org, now) in found {
        g.orgs.retain(|_, old| old.org != *org);
        if let Some((u, grant)) = now {
            g.orgs.insert(*u, grant.clone());
        }
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
