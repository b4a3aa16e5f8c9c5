/// How a request reached the receiver: the tunnel's ingress listener tags its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Via(pub &'static str);
