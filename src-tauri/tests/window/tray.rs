//! The tray as a desktop shell sees it. Xvfb has no panel, so the test's bus gets a fake
//! `org.kde.StatusNotifierWatcher` that says a host is there: the app's appindicator then
//! registers its StatusNotifierItem, whose `Menu` is a `com.canonical.dbusmenu` object the
//! test reads and clicks exactly as a panel does.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use zbus::{OwnedObjectPath, OwnedVariant, Variant};

pub const WATCHER_PATH: &str = "/StatusNotifierWatcher";

/// An item that registered: its bus name and object path.
#[derive(Debug, Clone)]
pub struct Registered {
    bus: String,
    path: String,
}

pub struct Watcher {
    pub registered: mpsc::UnboundedSender<Registered>,
    pub items: Vec<String>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &mut self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(ToString::to_string).unwrap_or_default();
        // The spec allows either a bus name or an object path; appindicator sends its path.
        let item = if service.starts_with('/') {
            Registered {
                bus: sender,
                path: service,
            }
        } else {
            Registered {
                bus: service,
                path: "/StatusNotifierItem".into(),
            }
        };
        self.items.push(format!("{}{}", item.bus, item.path));
        let _ = self.registered.send(item);
    }

    async fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    async fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.clone()
    }

    #[zbus(property)]
    async fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    async fn protocol_version(&self) -> i32 {
        0
    }
}

/// The fake panel's side: the items that registered on the test's bus.
pub struct Host {
    pub conn: zbus::Connection,
    pub registered: mpsc::UnboundedReceiver<Registered>,
}

impl Host {
    /// The menu of the next item that registers (the app launched last).
    pub async fn next_menu(&mut self) -> Menu {
        let item = tokio::time::timeout(Duration::from_secs(30), self.registered.recv())
            .await
            .expect("the app registers its tray item within 30 s")
            .expect("watcher running");
        let reply = self
            .conn
            .call_method(
                Some(item.bus.as_str()),
                item.path.as_str(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.kde.StatusNotifierItem", "Menu"),
            )
            .await
            .expect("the item has a Menu property");
        let menu: OwnedVariant = reply.body().deserialize().expect("a variant");
        let path = OwnedObjectPath::try_from(menu).expect("Menu is an object path");
        Menu {
            conn: self.conn.clone(),
            bus: item.bus,
            path: path.to_string(),
        }
    }
}

/// One entry of the menu as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    /// `Some(on)` for a check item.
    pub checked: Option<bool>,
}

/// The item's exported menu.
pub struct Menu {
    conn: zbus::Connection,
    bus: String,
    path: String,
}

type Layout = (i32, HashMap<String, OwnedVariant>, Vec<OwnedVariant>);

impl Menu {
    async fn call<B>(&self, method: &str, body: &B) -> zbus::Message
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        self.conn
            .call_method(
                Some(self.bus.as_str()),
                self.path.as_str(),
                Some("com.canonical.dbusmenu"),
                method,
                body,
            )
            .await
            .unwrap_or_else(|e| panic!("dbusmenu {method}: {e}"))
    }

    /// The top-level entries, as `GetLayout` returns them now.
    pub async fn entries(&self) -> Vec<Entry> {
        let reply = self
            .call("GetLayout", &(0i32, 1i32, Vec::<String>::new()))
            .await;
        let (_revision, (_root, _props, children)): (u32, Layout) =
            reply.body().deserialize().expect("a dbusmenu layout");
        children
            .into_iter()
            .map(|child| {
                let (id, props, _): Layout = child.try_into().expect("a layout item");
                let text = |key: &str| {
                    props
                        .get(key)
                        .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
                };
                let int = |key: &str| props.get(key).and_then(|v| i32::try_from(v).ok());
                Entry {
                    id,
                    label: text("label").unwrap_or_default(),
                    enabled: props
                        .get("enabled")
                        .and_then(|v| bool::try_from(v).ok())
                        .unwrap_or(true),
                    checked: (text("toggle-type").as_deref() == Some("checkmark"))
                        .then(|| int("toggle-state") == Some(1)),
                }
            })
            .collect()
    }

    /// The entry whose label starts with `prefix`.
    pub async fn entry(&self, prefix: &str) -> Entry {
        let entries = self.entries().await;
        entries
            .iter()
            .find(|e| e.label.starts_with(prefix))
            .cloned()
            .unwrap_or_else(|| panic!("no tray entry {prefix:?} in {entries:?}"))
    }

    /// Clicks the entry whose label starts with `prefix`, as a panel does.
    pub async fn click(&self, prefix: &str) {
        let entry = self.entry(prefix).await;
        self.call("Event", &(entry.id, "clicked", Variant::I32(0), 0u32))
            .await;
    }

    /// Waits until the entry labelled `prefix…` satisfies `check`.
    pub async fn wait_for(&self, what: &str, prefix: &str, check: impl Fn(&Entry) -> bool) {
        crate::harness::wait_until(what, Duration::from_secs(20), || async {
            check(&self.entry(prefix).await).then_some(())
        })
        .await
    }
}
