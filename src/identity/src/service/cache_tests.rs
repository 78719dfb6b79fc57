use std::sync::atomic::{AtomicUsize, Ordering};

use meshcloud_kernel::access::PermSet;
use meshcloud_kernel::ids::TokenId;

use super::*;

fn credential(user: i64, stamp: Stamp) -> Credential {
    Credential {
        user: UserId(user),
        user_uuid: uuid::Uuid::nil(),
        email: "a@b.example".into(),
        provider_admin: false,
        token: TokenId(1),
        hash: vec![1],
        kind: Kind::Api,
        api: true,
        expires_at: None,
        until: Instant::now() + Duration::from_secs(60),
        stamp,
    }
}

fn org(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

/// Grants in orgs 1..=n, each with `perms`.
fn grants(n: i64, perms: PermSet) -> Grants {
    let orgs = (1..=n).map(|i| (org(i as u128), OrgGrant { org: OrgId(i), perms })).collect();
    Grants { provider_admin: false, orgs }
}

const U: UserId = UserId(7);

/// Resolves every job with `whole` (whole) or `all` perms (per org), counting calls.
fn resolver(
    calls: &Arc<AtomicUsize>,
    whole: Grants,
) -> impl FnOnce(Job) -> std::pin::Pin<Box<dyn Future<Output = AppResult<Resolved>> + Send>> + use<> {
    let calls = calls.clone();
    move |job| {
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(match job {
                Job::Whole { .. } => Resolved::Whole(whole),
                Job::Orgs { orgs, .. } => Resolved::Orgs(
                    orgs.into_iter()
                        .map(|o| (o, Some((org(o.0 as u128), OrgGrant { org: o, perms: PermSet::all() }))))
                        .collect(),
                ),
            })
        })
    }
}

async fn resolved(cache: &AuthCache, calls: &Arc<AtomicUsize>, whole: Grants) -> Arc<Grants> {
    cache.grants(U, false, resolver(calls, whole)).await.expect("grants").0
}

/// A credential read before a change committed is never served after it,
/// even when it reaches the cache after the invalidation.
#[test]
fn reads_older_than_an_invalidation_are_not_cached() {
    let cache = AuthCache::new(Duration::from_secs(60));
    let (id, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let before = cache.stamp();
    cache.apply(Affected::Users(vec![U]));
    cache.put(id, credential(7, before));
    assert!(cache.get(&id, &[1], false).is_none());
    // Someone else's invalidation does not spoil this user's read.
    cache.put(other, credential(8, before));
    assert!(cache.get(&other, &[1], false).is_some());

    cache.put(id, credential(7, cache.stamp()));
    assert!(cache.get(&id, &[1], false).is_some());
    cache.apply(Affected::Everyone);
    assert!(cache.get(&id, &[1], false).is_none() && cache.get(&other, &[1], false).is_none());
}

/// However many requests of one user need grants at once, one resolution
/// runs and every request gets its result; the next ones read none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_a_user_share_one_resolution() {
    let cache = Arc::new(AuthCache::new(Duration::from_secs(60)));
    let calls = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (cache, calls) = (cache.clone(), calls.clone());
            tokio::spawn(async move { resolved(&cache, &calls, grants(3, PermSet::all())).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task").orgs.len(), 3);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(resolved(&cache, &calls, Grants::default()).await.orgs.len(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "served from the cache");
}

/// Past the TTL requests keep the current grants and hand back one
/// background refresh; its result serves the requests after it.
#[tokio::test]
async fn expired_grants_are_served_while_one_refresh_runs() {
    let cache = AuthCache::new(Duration::ZERO);
    let calls = Arc::new(AtomicUsize::new(0));
    resolved(&cache, &calls, grants(2, PermSet::all())).await;
    let Lookup::Ready(g, Some(refresh)) = cache.lookup(U, false) else { panic!("current grants and a refresh") };
    assert_eq!(g.orgs.len(), 2);
    let Lookup::Ready(_, None) = cache.lookup(U, false) else { panic!("one refresh at a time") };
    cache.run(U, &refresh, resolver(&calls, grants(5, PermSet::all()))).await.expect("refresh");
    let Lookup::Ready(g, _) = cache.lookup(U, false) else { panic!("current grants") };
    assert_eq!((g.orgs.len(), calls.load(Ordering::SeqCst)), (5, 2));
}

/// A resolution that started before a change neither answers requests that
/// arrive after it nor is stored; its own waiters (who came before the
/// change) get its result.
#[tokio::test]
async fn a_resolution_older_than_a_change_is_neither_joined_nor_stored() {
    let cache = AuthCache::new(Duration::from_secs(60));
    let calls = Arc::new(AtomicUsize::new(0));
    let Lookup::Wait(old) = cache.lookup(U, false) else { panic!("nothing cached yet") };
    cache.apply(Affected::Users(vec![U]));
    let Lookup::Wait(new) = cache.lookup(U, false) else { panic!("still nothing") };
    assert!(!Arc::ptr_eq(&old, &new), "a new resolution after the change");
    let stale = cache.run(U, &old, resolver(&calls, grants(1, PermSet::all()))).await.expect("old");
    assert_eq!(stale.orgs.len(), 1);
    let Lookup::Wait(again) = cache.lookup(U, false) else { panic!("the old result was not stored") };
    assert!(Arc::ptr_eq(&again, &new));
    let fresh = cache.run(U, &new, resolver(&calls, grants(2, PermSet::all()))).await.expect("new");
    assert_eq!(fresh.orgs.len(), 2);
    let Lookup::Ready(g, None) = cache.lookup(U, false) else { panic!("stored") };
    assert_eq!(g.orgs.len(), 2);
}

/// A change in one org reads that org again, not every membership; the
/// other orgs keep their grants.
#[tokio::test]
async fn a_change_in_one_org_rereads_only_that_org() {
    let cache = AuthCache::new(Duration::from_secs(60));
    let calls = Arc::new(AtomicUsize::new(0));
    resolved(&cache, &calls, grants(100, PermSet::default())).await;
    cache.apply(Affected::InOrg { org: OrgId(42), users: vec![U, UserId(8)] });
    let Lookup::Wait(f) = cache.lookup(U, false) else { panic!("org 42 must be read again") };
    let Job::Orgs { orgs, .. } = f.job() else { panic!("only one org") };
    assert_eq!(orgs, vec![OrgId(42)]);
    let g = cache.run(U, &f, resolver(&calls, Grants::default())).await.expect("org");
    assert_eq!(g.orgs.len(), 100);
    assert_eq!(g.in_org(org(42)), PermSet::all());
    assert_eq!(g.in_org(org(41)), PermSet::default());
    let Lookup::Ready(g, None) = cache.lookup(U, false) else { panic!("stored") };
    assert_eq!(g.in_org(org(42)), PermSet::all());

    // Removal from an org takes it out.
    cache.apply(Affected::InOrg { org: OrgId(7), users: vec![U] });
    let Lookup::Wait(f) = cache.lookup(U, false) else { panic!("org 7 must be read again") };
    cache.run(U, &f, |_| async { Ok(Resolved::Orgs(vec![(OrgId(7), None)])) }).await.expect("org");
    let Lookup::Ready(g, None) = cache.lookup(U, false) else { panic!("stored") };
    assert!(!g.is_member(org(7)) && g.orgs.len() == 99);
}

/// A whole resolution that finishes after a change in one org does not
/// overwrite it: the org stays to be read again.
#[tokio::test]
async fn a_change_during_a_whole_resolution_is_not_lost() {
    let cache = AuthCache::new(Duration::ZERO);
    let calls = Arc::new(AtomicUsize::new(0));
    resolved(&cache, &calls, grants(3, PermSet::default())).await;
    let Lookup::Ready(_, Some(refresh)) = cache.lookup(U, false) else { panic!("a refresh") };
    cache.apply(Affected::InOrg { org: OrgId(2), users: vec![U] });
    cache.run(U, &refresh, resolver(&calls, grants(3, PermSet::default()))).await.expect("refresh");
    let Lookup::Wait(f) = cache.lookup(U, false) else { panic!("org 2 still to read") };
    assert!(matches!(f.job(), Job::Orgs { ref orgs, .. } if orgs == &[OrgId(2)]));
}

/// Joining an org patches the cached grants instead of dropping them, and a
/// resolution that started before the join does not take the org away.
#[tokio::test]
async fn joining_an_org_updates_cached_grants() {
    let cache = AuthCache::new(Duration::ZERO);
    let calls = Arc::new(AtomicUsize::new(0));
    resolved(&cache, &calls, grants(1, PermSet::default())).await;
    let Lookup::Ready(_, Some(refresh)) = cache.lookup(U, false) else { panic!("a refresh") };
    let new = org(99);
    cache.apply(Affected::Joined { user: U, org: new, grant: OrgGrant { org: OrgId(99), perms: PermSet::all() } });
    let Lookup::Ready(g, _) = cache.lookup(U, false) else { panic!("patched, nothing to read") };
    assert!(g.is_member(new));
    cache.run(U, &refresh, resolver(&calls, grants(1, PermSet::default()))).await.expect("refresh");
    let Lookup::Ready(g, _) = cache.lookup(U, false) else { panic!("current") };
    assert_eq!(g.in_org(new), PermSet::all());
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the join read nothing");
}
