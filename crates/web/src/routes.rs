//! Route registration that cannot forget authorisation: every route is added with its
//! [`Access`] rule, and the table of rules is what the middleware consults and the
//! route × role test walks.

use std::collections::HashMap;

use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::policy::Access;
use crate::state::AppState;

/// One registered route and who may call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    /// HTTP method.
    pub method: Method,
    /// Path pattern as registered (`/api/v1/tournaments/{tournament_id}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// A router under construction together with its rules.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    rules: Vec<RouteRule>,
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Routes {
        Routes::default()
    }

    /// Adds a route for one method.
    pub fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Routes {
        let filter = match method_filter(&method) {
            Some(f) => f,
            None => return self,
        };
        self.router = self.router.route(path, on(filter, handler));
        self.rules.push(RouteRule { method, path, access });
        self
    }

    /// Adds a GET route.
    pub fn get(self, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Routes {
        self.add(Method::GET, path, access, handler)
    }

    /// Adds a POST route.
    pub fn post(self, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Routes {
        self.add(Method::POST, path, access, handler)
    }

    /// Adds a PUT route.
    pub fn put(self, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Routes {
        self.add(Method::PUT, path, access, handler)
    }

    /// Adds a PATCH route.
    pub fn patch(self, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Routes {
        self.add(Method::PATCH, path, access, handler)
    }

    /// Adds a DELETE route.
    pub fn delete(self, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Routes {
        self.add(Method::DELETE, path, access, handler)
    }

    /// Joins another set of routes.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.rules.extend(other.rules);
        self
    }

    /// The router and the rule table.
    pub fn into_parts(self) -> (Router<AppState>, RouteTable) {
        (self.router, RouteTable::new(self.rules))
    }
}

fn method_filter(method: &Method) -> Option<MethodFilter> {
    Some(match *method {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => return None,
    })
}

/// The rules of every route, by method and path pattern.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    rules: Vec<RouteRule>,
    by_path: HashMap<&'static str, Vec<(Method, Access)>>,
}

impl RouteTable {
    fn new(rules: Vec<RouteRule>) -> RouteTable {
        let mut by_path: HashMap<&'static str, Vec<(Method, Access)>> = HashMap::new();
        for r in &rules {
            by_path.entry(r.path).or_default().push((r.method.clone(), r.access));
        }
        RouteTable { rules, by_path }
    }

    /// The rule of a method on a path pattern (HEAD follows GET).
    pub fn access(&self, method: &Method, path: &str) -> Option<Access> {
        let method = if method == Method::HEAD { &Method::GET } else { method };
        self.by_path.get(path)?.iter().find(|(m, _)| m == method).map(|(_, access)| *access)
    }

    /// Whether any method is registered on the path pattern.
    pub fn knows_path(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }

    /// Every rule, in registration order.
    pub fn rules(&self) -> &[RouteRule] {
        &self.rules
    }
}
