// Every page of the UI: where it sits in the navigation, who may open it,
// and the module that draws it (loaded when first opened).
//
// scope "org": needs a selected organization and, if given, the key `perm`
// there; "user": any signed-in user; "admin": provider admins.

export const AREAS = [
  { id: "org", label: "Organization and access" },
  { id: "signon", label: "Sign-on" },
  { id: "infra", label: "Infrastructure" },
  { id: "ops", label: "Operations" },
  // The families still to come add their pages under these.
  { id: "designs", label: "Designs" },
  { id: "billing", label: "Billing" },
  { id: "gateways", label: "Gateways" },
  { id: "meshstack", label: "meshStack" },
  { id: "academy", label: "Academy" },
];

export const ROUTES = [
  { path: "/", title: "Dashboard", scope: "user", load: () => import("./pages/dashboard.js") },
  { path: "/account", title: "Your account", scope: "user", hidden: true, load: () => import("./pages/account.js") },
  { path: "/organizations", title: "Organizations", area: "org", scope: "user", load: () => import("./pages/organizations.js") },
  { path: "/members", title: "Members", area: "org", perm: "identity.members.read", load: () => import("./pages/members.js") },
  { path: "/teams", title: "Teams", area: "org", perm: "identity.teams.read", load: () => import("./pages/teams.js") },
  { path: "/roles", title: "Roles", area: "org", perm: "identity.roles.read", load: () => import("./pages/roles.js") },
  { path: "/invitations", title: "Invitations", area: "org", perm: "identity.invitations.read", load: () => import("./pages/invitations.js") },
  { path: "/sign-ups", title: "Sign-up requests", area: "org", perm: "identity.signup_requests.read", load: () => import("./pages/signups.js") },
  { path: "/service-accounts", title: "Service accounts", area: "org", perm: "identity.serviceaccounts.read", load: () => import("./pages/service-accounts.js") },
  { path: "/users", title: "Users", area: "org", scope: "admin", load: () => import("./pages/users.js") },
  { path: "/sign-in", title: "Sign-in providers", area: "signon", perm: "identity.oauth2providers.read", load: () => import("./pages/sign-in.js") },
  { path: "/oauth-clients", title: "OAuth clients", area: "signon", scope: "admin", load: () => import("./pages/oauth-clients.js") },
  { path: "/environments", title: "Environments", area: "infra", perm: "infra.environments.read", load: () => import("./pages/environments.js") },
  { path: "/connections", title: "Connections", area: "infra", perm: "infra.connections.read", load: () => import("./pages/connections.js") },
  { path: "/credentials", title: "Credentials", area: "infra", perm: "infra.credentials.read", load: () => import("./pages/credentials.js") },
  { path: "/workspaces", title: "Workspaces", area: "infra", perm: "infra.workspaces.read", load: () => import("./pages/workspaces.js") },
  { path: "/projects", title: "Projects", area: "infra", perm: "infra.workspaces.read", load: () => import("./pages/projects.js") },
  { path: "/designs", title: "Designs", area: "designs", perm: "content.designs.read", load: () => import("./pages/designs.js") },
  { path: "/models", title: "Models", area: "designs", perm: "content.models.read", load: () => import("./pages/models.js") },
  { path: "/resources", title: "Resources", area: "designs", perm: "content.designs.read", load: () => import("./pages/resources.js") },
  { path: "/catalog", title: "Catalog", area: "designs", scope: "user", load: () => import("./pages/catalog.js") },
  { path: "/views", title: "Views", area: "designs", perm: "content.views.read", load: () => import("./pages/views.js") },
  { path: "/filters", title: "Filters", area: "designs", perm: "content.filters.read", load: () => import("./pages/filters.js") },
  { path: "/event-log", title: "Events", area: "ops", perm: "events.events.read", load: () => import("./pages/events.js") },
  { path: "/billing", title: "Billing", area: "billing", perm: "billing.subscriptions.read", load: () => import("./pages/billing.js") },
  { path: "/plans", title: "Plans", area: "billing", scope: "admin", load: () => import("./pages/plans.js") },
  { path: "/payments", title: "Pending payments", area: "billing", scope: "admin", load: () => import("./pages/payments.js") },
  { path: "/schedules", title: "Schedules", area: "ops", scope: "user", load: () => import("./pages/schedules.js") },
  { path: "/gateways", title: "Control planes", area: "gateways", perm: "gateway.controlplanes.read", load: () => import("./pages/gateways.js") },
  { path: "/gateways/applications", title: "Applications", area: "gateways", perm: "gateway.applications.read", load: () => import("./pages/gateway-applications.js") },
  { path: "/gateways/consumers", title: "Consumers", area: "gateways", perm: "gateway.consumers.read", load: () => import("./pages/gateway-consumers.js") },
  { path: "/gateways/certificates", title: "Certificates", area: "gateways", perm: "gateway.certificates.read", load: () => import("./pages/gateway-certificates.js") },
];
