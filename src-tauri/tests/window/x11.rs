//! The app's window as the X server sees it: found by the app's pid and title, closed as a
//! window manager closes it (a `WM_DELETE_WINDOW` message, what the title bar's × sends).

use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

pub struct Display {
    conn: RustConnection,
    root: Window,
}

impl Display {
    pub fn open(display: &str) -> Display {
        let (conn, screen) = x11rb::connect(Some(display)).expect("the X server answers");
        let root = conn.setup().roots[screen].root;
        Display { conn, root }
    }

    fn atom(&self, name: &str) -> u32 {
        self.conn
            .intern_atom(false, name.as_bytes())
            .expect("request")
            .reply()
            .expect("atom")
            .atom
    }

    /// The top-level window titled `title` that process `pid` owns, if it has one.
    pub fn window(&self, pid: u32, title: &str) -> Option<Window> {
        let (pid_atom, name_atom) = (self.atom("_NET_WM_PID"), self.atom("_NET_WM_NAME"));
        let tree = self.conn.query_tree(self.root).ok()?.reply().ok()?;
        tree.children.into_iter().find(|&w| {
            let property = |atom: u32| {
                self.conn
                    .get_property(false, w, atom, AtomEnum::ANY, 0, 256)
                    .ok()
                    .and_then(|c| c.reply().ok())
            };
            let owner = property(pid_atom).and_then(|p| p.value32()?.next());
            let name = property(name_atom).map(|p| p.value);
            owner == Some(pid) && name.as_deref() == Some(title.as_bytes())
        })
    }

    /// Whether `window` is mapped on screen.
    pub fn viewable(&self, window: Window) -> bool {
        self.conn
            .get_window_attributes(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == MapState::VIEWABLE)
    }

    /// Asks `window` to close, as the window manager does when its × is clicked.
    pub fn close(&self, window: Window) {
        let (protocols, delete) = (self.atom("WM_PROTOCOLS"), self.atom("WM_DELETE_WINDOW"));
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, event)
            .expect("sent");
        self.conn.flush().expect("flushed");
    }
}
