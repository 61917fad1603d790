//! systemd-boot's entries for the two slots, and their names under boot counting
//! (`mpp-kiosk-0007-b+3.conf`: generation 7, slot B, three tries left; systemd-boot renames
//! it `…+2-1.conf` as it boots it, and `systemd-bless-boot` to `mpp-kiosk-0007-b.conf` once
//! the system is up). With no `default` in loader.conf, systemd-boot boots the first entry
//! in its order: entries with no tries left go last, the rest by name, highest first; so a
//! new slot (a higher generation) boots first, and once its tries are used up the old slot
//! does. An entry with no tries left is still booted when it is the only one: a kiosk whose
//! every try was spent by power cuts boots something rather than nothing.

use mpp_domain::update::Slot;

const PREFIX: &str = "mpp-kiosk-";

/// One entry file's name, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub generation: u32,
    pub slot: Slot,
    /// `None`: blessed (no counting); `Some(0)`: tries used up, the boot loader skips it.
    pub tries_left: Option<u32>,
    pub tries_done: u32,
}

impl Entry {
    pub fn new(generation: u32, slot: Slot, tries: u32) -> Entry {
        Entry { generation, slot, tries_left: Some(tries), tries_done: 0 }
    }

    pub fn parse(file_name: &str) -> Option<Entry> {
        let rest = file_name.strip_prefix(PREFIX)?.strip_suffix(".conf")?;
        let (id, counter) = match rest.split_once('+') {
            Some((id, c)) => (id, Some(c)),
            None => (rest, None),
        };
        let (generation, slot) = id.split_once('-')?;
        if generation.len() != 4 || !generation.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let slot = match slot {
            "a" => Slot::A,
            "b" => Slot::B,
            _ => return None,
        };
        let (tries_left, tries_done) = match counter {
            None => (None, 0),
            Some(c) => {
                let (left, done) = c.split_once('-').unwrap_or((c, "0"));
                (Some(left.parse().ok()?), done.parse().ok()?)
            }
        };
        Some(Entry { generation: generation.parse().ok()?, slot, tries_left, tries_done })
    }

    pub fn file_name(&self) -> String {
        let id = format!("{PREFIX}{:04}-{}", self.generation, self.slot.as_str());
        match (self.tries_left, self.tries_done) {
            (None, _) => format!("{id}.conf"),
            (Some(l), 0) => format!("{id}+{l}.conf"),
            (Some(l), d) => format!("{id}+{l}-{d}.conf"),
        }
    }

    /// Its tries are used up: systemd-boot boots it only when nothing else is left.
    pub fn is_bad(&self) -> bool {
        self.tries_left == Some(0)
    }

    pub fn is_blessed(&self) -> bool {
        self.tries_left.is_none()
    }
}

/// The entry's text: `version` for the status, the slot's kernel and initrd on the ESP,
/// and the running entry's options with the root and slot of this one.
pub fn contents(slot: Slot, version: &str, base_options: &str) -> String {
    let s = slot.as_str();
    let kept: Vec<&str> = base_options
        .split_whitespace()
        .filter(|o| !["root=", "mpp.slot=", "rootfstype="].iter().any(|p| o.starts_with(p)) && *o != "rw" && *o != "ro")
        .collect();
    format!(
        "title mpp-kiosk {version} (slot {S})\nversion {version}\nlinux /mpp/{s}/vmlinuz\ninitrd /mpp/{s}/initrd.img\noptions root=PARTLABEL=kiosk-root-{s} rootfstype=squashfs ro mpp.slot={s} {}\n",
        kept.join(" "),
        S = s.to_uppercase(),
    )
}

/// A field of an entry's text (`version`, `options`).
pub fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.trim().split_once(char::is_whitespace)?;
        (k == key).then(|| v.trim())
    })
}

/// The slot the kernel was booted from (`mpp.slot=` on its command line).
pub fn running_slot(cmdline: &str) -> Option<Slot> {
    cmdline.split_whitespace().find_map(|o| o.strip_prefix("mpp.slot=")).and_then(Slot::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_through_every_counting_state() {
        for name in [
            "mpp-kiosk-0007-b+3.conf",
            "mpp-kiosk-0007-b+2-1.conf",
            "mpp-kiosk-0007-b+0-3.conf",
            "mpp-kiosk-0012-a.conf",
        ] {
            assert_eq!(Entry::parse(name).unwrap().file_name(), name);
        }
        let e = Entry::parse("mpp-kiosk-0007-b+0-3.conf").unwrap();
        assert!(e.is_bad() && !e.is_blessed());
        assert_eq!((e.generation, e.slot), (7, Slot::B));
        assert!(Entry::parse("mpp-kiosk-0012-a.conf").unwrap().is_blessed());
        for other in [
            "kiosk.conf",
            "mpp-kiosk-7-a.conf",
            "mpp-kiosk-0007-c.conf",
            "mpp-kiosk-0007-a+x.conf",
            "mpp-kiosk-0007-a.conf.tmp",
        ] {
            assert_eq!(Entry::parse(other), None, "{other}");
        }
    }

    #[test]
    fn contents_keep_the_sites_options_and_name_the_slot() {
        let t = contents(
            Slot::B,
            "2.0",
            "root=PARTLABEL=kiosk-root-a rootfstype=squashfs ro mpp.slot=a quiet console=ttyS0,115200",
        );
        assert_eq!(field(&t, "version"), Some("2.0"));
        assert_eq!(field(&t, "linux"), Some("/mpp/b/vmlinuz"));
        assert_eq!(
            field(&t, "options"),
            Some("root=PARTLABEL=kiosk-root-b rootfstype=squashfs ro mpp.slot=b quiet console=ttyS0,115200")
        );
        assert_eq!(running_slot(field(&t, "options").unwrap()), Some(Slot::B));
        assert_eq!(running_slot("quiet root=/dev/sda2"), None);
    }
}
