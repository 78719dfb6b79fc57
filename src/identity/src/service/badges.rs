//! Badges: an org defines them and awards them to its users.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use crate::store::badges::{self, BadgeFields, BadgeRow};
use crate::store::{orgs, users};

#[derive(Debug, Clone)]
pub struct BadgeInput {
    pub id: Option<uuid::Uuid>,
    pub org: uuid::Uuid,
    pub name: String,
    pub label: String,
    pub description: String,
    pub image_url: String,
}

/// A label made from the name when the client leaves it empty.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.trim().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn check_url(url: &str) -> AppResult<String> {
    let url = url.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(AppError::validation("image_url must be an http(s) URL"));
    }
    Ok(url.to_string())
}

impl Identity {
    pub async fn upsert_badge(&self, p: &Principal, input: BadgeInput) -> AppResult<BadgeRow> {
        p.require(input.org, Perm::BadgesManage)?;
        let name = validate::name("name", &input.name, 255)?;
        let label =
            if input.label.trim().is_empty() { slug(&name) } else { validate::name("label", &input.label, 100)? };
        if label.is_empty() {
            return Err(AppError::validation("label is empty and cannot be made from the name"));
        }
        let description = validate::text("description", &input.description, 5000)?;
        let image_url = check_url(&input.image_url)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let org = Self::org_for(c, &p, input.org, Perm::BadgesManage)?;
                let f = BadgeFields { name: &name, label: &label, description: &description, image_url: &image_url };
                let (uuid, action) = match input.id {
                    Some(id) => {
                        let b = badges::by_uuid(c, id)?.filter(|b| b.org == org.id).ok_or(AppError::NotFound)?;
                        badges::update(c, b.id, &f)?;
                        (b.uuid, EventKind::BadgeUpdate)
                    }
                    None => (badges::insert(c, org.id, &f)?, EventKind::BadgeCreate),
                };
                audit::record(
                    c,
                    Event::new(action, Some(p.user))
                        .org(org.id)
                        .on(uuid)
                        .describe(format!("badge {label} {}d", action.action())),
                )?;
                badges::by_uuid(c, uuid)?.ok_or(AppError::NotFound)
            })
            .await
    }

    pub async fn get_badge(&self, p: &Principal, id: uuid::Uuid) -> AppResult<BadgeRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let b = badges::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                p.require(b.org_uuid, Perm::BadgesRead)?;
                Ok(b)
            })
            .await
    }

    pub async fn delete_badge(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let b = badges::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                p.require(b.org_uuid, Perm::BadgesManage)?;
                badges::delete(c, b.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::BadgeDelete, Some(p.user))
                        .org(b.org)
                        .on(b.uuid)
                        .describe(format!("badge {} deleted", b.label)),
                )
            })
            .await
    }

    /// Badges of the org in context.
    pub async fn list_badges(&self, p: &Principal, header: Option<&str>) -> AppResult<Vec<BadgeRow>> {
        let org = self.context_org(p, header, Perm::BadgesRead).await?;
        self.db().read(move |c| badges::list(c, org.id)).await
    }

    /// Sets a member's badges in the org in context; returns (user, labels).
    pub async fn assign_badges(
        &self,
        p: &Principal,
        header: Option<&str>,
        user: Option<uuid::Uuid>,
        refs: Vec<String>,
    ) -> AppResult<(uuid::Uuid, Vec<String>)> {
        if refs.len() > 200 {
            return Err(AppError::validation("at most 200 badges"));
        }
        let org = self.context_org(p, header, Perm::BadgesAssign).await?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let u = match user {
                    Some(id) => users::by_uuid(c, id)?.ok_or(AppError::NotFound)?,
                    None => users::get(c, p.user)?,
                };
                if !orgs::is_member(c, org.id, u.id)? {
                    return Err(AppError::NotFound);
                }
                let mut found: Vec<BadgeRow> = Vec::new();
                for r in &refs {
                    let b = badges::by_ref(c, org.id, r.trim())?
                        .ok_or_else(|| AppError::validation(format!("badges: no badge '{r}' in this organization")))?;
                    if !found.iter().any(|f| f.id == b.id) {
                        found.push(b);
                    }
                }
                badges::set_user_badges(c, org.id, u.id, &found.iter().map(|b| b.id).collect::<Vec<_>>())?;
                let labels: Vec<String> = found.into_iter().map(|b| b.label).collect();
                audit::record(
                    c,
                    Event::new(EventKind::BadgeAssign, Some(p.user))
                        .org(org.id)
                        .on(u.uuid)
                        .describe(format!("badges of {} set", u.email))
                        .meta(serde_json::json!({ "badges": labels })),
                )?;
                Ok((u.uuid, labels))
            })
            .await
    }
}
