//! The hot queries of the identity store keep their intended plans whatever
//! the statistics say: none, fresh, or left over from a nearly empty install
//! (organizations and users "1 row" while a user holds 10k memberships), the
//! statistics that made permission resolution scan organizations per
//! membership.

use meshcloud_kernel::db::plan::{Expect, check_under_each, statements_of};
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::page::PageRequest;
use rusqlite::Connection;

use super::{keys, orgs, roles, teams, tokens, users};

const POISON: &[(&str, i64)] = &[
    ("organizations", 1),
    ("users", 1),
    ("tokens", 1),
    ("teams", 1),
    ("role_bindings", 1),
    ("team_members", 1),
    ("org_members", 10_000),
];

struct Seeded {
    _dir: tempfile::TempDir,
    conn: Connection,
    member: UserId,
    org: OrgId,
    org_uuid: uuid::Uuid,
    token: uuid::Uuid,
}

fn user(c: &Connection, email: &str) -> UserId {
    users::insert_plain(c, email)
}

/// 300 orgs of one owner; a member in half of them, directly and through a
/// team; 40 other users with a token each.
fn seed() -> Seeded {
    let dir = tempfile::TempDir::new().expect("tmp");
    let path = dir.path().join("plans.db");
    meshcloud_kernel::db::migrate(&path).expect("migrates");
    let conn = Connection::open(&path).expect("opens");
    conn.execute_batch("BEGIN").expect("begin");
    let owner = user(&conn, "owner@example.com");
    let member = user(&conn, "member@example.com");
    let meta = serde_json::json!({});
    let mut first = None;
    for i in 0..300 {
        let name = format!("org {i:03}");
        let fields =
            orgs::OrgFields { name: &name, description: "", country: "", region: "", domain: None, metadata: &meta };
        let org = orgs::insert(&conn, owner, &fields).expect("org");
        first.get_or_insert(org);
        if i % 2 == 0 {
            orgs::join(&conn, org, member, "active").expect("join");
            let role = roles::by_name(&conn, org, roles::MEMBER).expect("role").expect("built in");
            roles::bind_user(&conn, org, role.id, member).expect("bind");
            let team = teams::insert(&conn, org, owner, "t", "").expect("team");
            let admin = roles::by_name(&conn, org, "workspace admin").expect("role").expect("built in");
            roles::bind_team(&conn, org, admin.id, team).expect("bind");
            teams::add_member(&conn, team, member).expect("team member");
        }
    }
    let mut token = new_uuid();
    for i in 0..40 {
        let u = user(&conn, &format!("u{i}@example.com"));
        token = new_uuid();
        let t = tokens::NewToken {
            uuid: token,
            user: u,
            kind: tokens::Kind::Api,
            name: "t",
            purpose: "",
            provider: "meshcloud",
            secret_hash: &[0; 32],
            expires_at: None,
            created_by: Some(u),
        };
        tokens::insert(&conn, &t).expect("token");
    }
    conn.execute_batch("COMMIT").expect("commit");
    let org = first.expect("an org");
    let org_uuid = orgs::get(&conn, org).expect("org").uuid;
    Seeded { _dir: dir, conn, member, org, org_uuid, token }
}

/// Each statement `f` runs, paired in order with what its plan must show.
fn expect<'a, T>(s: &Seeded, f: impl FnOnce(&Connection) -> T, want: &[Expect<'a>]) -> Vec<(String, Expect<'a>)> {
    let (_, sqls) = statements_of(&s.conn, || f(&s.conn));
    assert_eq!(sqls.len(), want.len(), "statements run: {sqls:#?}");
    sqls.into_iter().zip(want.iter().copied()).collect()
}

#[test]
fn hot_identity_queries_keep_their_plans_under_any_statistics() {
    let s = seed();
    let (member, org, org_uuid, token) = (s.member, s.org, s.org_uuid, s.token);
    let mut queries = Vec::new();
    // Permission resolution: memberships through org_members_user, the org
    // and every binding by key, each distinct role's keys once.
    let role_codes =
        Expect { uses: &["SEARCH r USING INTEGER PRIMARY KEY"], never_scan: &["r", "rk", "kc", "kk", "k"] };
    let team_roles = Expect { uses: &["role_bindings_team"], never_scan: &["rb"] };
    queries.extend(expect(
        &s,
        |c| {
            let g = keys::grants(c, member, false).expect("grants");
            assert_eq!(g.orgs.len(), 150);
        },
        &[
            Expect { uses: &["org_members_user", "SEARCH o USING INTEGER PRIMARY KEY"], never_scan: &["m", "o"] },
            Expect { uses: &["role_bindings_user"], never_scan: &["rb"] },
            Expect { uses: &["team_members_user", "SEARCH t USING INTEGER PRIMARY KEY"], never_scan: &["tm", "t"] },
            team_roles,
            role_codes,
        ],
    ));
    queries.extend(expect(
        &s,
        |c| assert!(keys::grant_in(c, member, org).expect("grant").is_some()),
        &[
            Expect {
                uses: &["SEARCH m USING PRIMARY KEY", "SEARCH o USING INTEGER PRIMARY KEY"],
                never_scan: &["m", "o"],
            },
            Expect { uses: &["role_bindings_user"], never_scan: &["rb"] },
            Expect { uses: &["team_members_user", "SEARCH t USING INTEGER PRIMARY KEY"], never_scan: &["tm", "t"] },
            team_roles,
            role_codes,
        ],
    ));
    queries.extend(expect(
        &s,
        |c| assert!(tokens::auth_record(c, token).expect("record").is_some()),
        &[
            Expect { uses: &["sqlite_autoindex_tokens_1"], never_scan: &["t"] },
            Expect { uses: &["SEARCH u USING INTEGER PRIMARY KEY"], never_scan: &["u"] },
        ],
    ));
    let by_uuid = Expect {
        uses: &["sqlite_autoindex_organizations_1", "SEARCH u USING INTEGER PRIMARY KEY"],
        never_scan: &["o", "u"],
    };
    queries.extend(expect(&s, |c| assert!(orgs::by_uuid(c, org_uuid).expect("org").is_some()), &[by_uuid]));
    queries.extend(expect(
        &s,
        |c| assert!(orgs::member_state(c, org, member).expect("state").is_some()),
        &[Expect { uses: &["SEARCH org_members USING PRIMARY KEY"], never_scan: &["org_members"] }],
    ));
    let live_row = Expect { uses: &["SEARCH o USING INTEGER PRIMARY KEY"], never_scan: &["o", "u"] };
    let of_user = Expect { uses: &["org_members_user"], never_scan: &["org_members"] };
    queries.extend(expect(
        &s,
        |c| assert_eq!(orgs::memberships(c, member).expect("orgs").len(), 150),
        &[of_user, live_row],
    ));
    queries.extend(expect(
        &s,
        |c| assert!(orgs::first_for_user(c, member).expect("org").is_some()),
        &[of_user, live_row],
    ));
    queries.extend(expect(
        &s,
        |c| assert_eq!(orgs::memberships_in(c, member, &[org]).expect("orgs").len(), 1),
        &[Expect { uses: &["SEARCH org_members USING PRIMARY KEY"], never_scan: &["org_members"] }, live_row],
    ));
    let by_id = Expect {
        uses: &["SEARCH o USING INTEGER PRIMARY KEY", "SEARCH u USING INTEGER PRIMARY KEY"],
        never_scan: &["o", "u"],
    };
    let first = PageRequest { offset: 0, limit: 25, search: None, order: None };
    queries.extend(expect(
        &s,
        |c| assert_eq!(orgs::list(c, Some(member), &first).expect("list").items.len(), 25),
        // The page either walks the name index checking membership (and
        // stops after 25) or sorts the memberships: both bounded, so either
        // is fine; the count goes through the memberships.
        &[
            Expect { uses: &["org_members_user", "SEARCH o USING INTEGER PRIMARY KEY"], never_scan: &["o", "m"] },
            Expect { uses: &["org_members_user"], never_scan: &[] },
            by_id,
        ],
    ));
    queries.extend(expect(
        &s,
        |c| assert_eq!(orgs::list(c, None, &first).expect("list").items.len(), 25),
        // The total counts every live org whichever way; the page walks the
        // name index and stops after 25.
        &[
            Expect { uses: &[], never_scan: &[] },
            Expect { uses: &["SCAN o USING INDEX organizations_live_name"], never_scan: &[] },
            by_id,
        ],
    ));
    check_under_each(&s.conn, POISON, &queries).unwrap_or_else(|e| panic!("{e}"));
}
