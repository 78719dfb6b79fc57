//! Typed row ids. Every core row has an `INTEGER PRIMARY KEY`; these newtypes
//! keep an org id from being passed where a user id belongs. The public UUID of
//! a row is a plain `uuid::Uuid`.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

macro_rules! row_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

row_id!(
    UserId,
    OrgId,
    TokenId,
    EventId,
    TeamId,
    RoleId,
    KeychainId,
    KeyId,
    EnvironmentId,
    ConnectionId,
    CredentialId,
    WorkspaceId,
    ScheduleId,
    ScheduleRunId,
    InvitationId,
    BadgeId,
    SignupRequestId,
    OAuthClientId,
    OAuthSessionId,
    OAuthCodeId,
    RefreshTokenId,
    ProviderId,
    AllocationId,
    MailId,
);

/// A new public id: UUIDv7, so that ids created together sit together in indexes.
pub fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
