//! What a nested or merged router inherits, and how a route's access is
//! decided from it.

use std::any::TypeId;

use super::audit::{Access, GuardSource};
use super::builder::GuardedRouter;
use super::check::GuardedRouterError;
use crate::__private::{guard_argument_types, site_options, OwnGuard};
use crate::guard::{DefaultLogin, GuardConfig};
use crate::options::GuardOptions;

/// What nested routers inherit.
#[derive(Clone)]
pub(super) struct Scope {
    pub(super) default: GuardOptions,
    pub(super) prefix: String,
    pub(super) configs: Vec<(TypeId, GuardOptions)>,
}

impl Scope {
    pub(super) fn enter<S>(&self, router: &GuardedRouter<S>, path: &str) -> Scope {
        let mut configs = self.configs.clone();
        configs.extend(router.configs.iter().copied());
        Scope {
            default: router.default.unwrap_or(self.default),
            prefix: join(&self.prefix, path),
            configs,
        }
    }

    /// A handler's own options, if it has a guard of its own.
    pub(super) fn own_options(
        &self,
        own: OwnGuard,
        route: impl FnOnce() -> String,
    ) -> Result<Option<GuardOptions>, GuardedRouterError> {
        match own {
            OwnGuard::None | OwnGuard::Unseen => Ok(None),
            OwnGuard::Site { id, .. } => site_options(id)
                .copied()
                .map(Some)
                .ok_or_else(|| GuardedRouterError::UnregisteredHandlerGuard { route: route() }),
            OwnGuard::Config {
                type_id, config, ..
            } => {
                if guard_argument_types::<DefaultLogin>().contains(&type_id) {
                    return Ok(Some(DefaultLogin::OPTIONS));
                }
                self.configs
                    .iter()
                    .find(|(id, _)| *id == type_id)
                    .map(|(_, options)| Some(*options))
                    .ok_or_else(|| GuardedRouterError::UnknownGuardConfig {
                        config,
                        route: route(),
                    })
            }
        }
    }

    /// A route's access: `public` as declared, `own` the handler's guard.
    pub(super) fn access(
        &self,
        public: bool,
        own: OwnGuard,
        path: &str,
        route: impl FnOnce() -> String,
    ) -> Result<Access, GuardedRouterError> {
        let route = route();
        let options = self.own_options(own, || route.clone())?;
        Ok(match (public, options) {
            (_, Some(options)) if own.handler_decides() => Access::HandlerDecides { options },
            (false, own) => self.guarded(own),
            (true, None) => Access::Public,
            (true, Some(_)) => {
                return Err(GuardedRouterError::PublicAndGuarded {
                    detail: format!(
                        "{route} is added as public, but its handler has a guard of its own (#[require_login] or RequireLogin<C>); take `Option<RequireLogin<C>>` for a handler that lets everyone in and decides itself"
                    ),
                    path: path.to_owned(),
                });
            }
        })
    }

    pub(super) fn guarded(&self, own: Option<GuardOptions>) -> Access {
        match own {
            Some(options) => Access::Guarded {
                options,
                source: GuardSource::Handler,
            },
            None => Access::Guarded {
                options: self.default,
                source: GuardSource::AppDefault,
            },
        }
    }
}

/// `prefix` + `path`, as `Router::nest` joins them.
pub(super) fn join(prefix: &str, path: &str) -> String {
    if path == "/" && !prefix.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{path}")
    }
}

pub(super) fn under(prefix: &str) -> String {
    if prefix.is_empty() {
        "*".to_owned()
    } else {
        format!("{prefix}/*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_join_as_axum_does() {
        assert_eq!(join("/admin", "/"), "/admin");
        assert_eq!(join("/admin", "/x"), "/admin/x");
        assert_eq!(join("", "/"), "/");
        assert_eq!(under(""), "*");
        assert_eq!(under("/admin"), "/admin/*");
    }
}
