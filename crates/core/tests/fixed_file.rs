//! "Copy fixed file": a fix carries each config file it touches, whole, with the edits
//! applied; in an `nginx -T` dump, only that file, without the dump's other files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::code::Code;
use badgateway_core::{Inputs, analyze};

const DUMP: &str = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/app.conf:
server {
    listen 80;
    location / {
        proxy_pass http://127.0.0.1:8000;
    }
}

";

const SS: &str = "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
LISTEN 0      2048       127.0.0.1:3000       0.0.0.0:*    users:((\"gunicorn\",pid=7,fd=5))
";

#[test]
fn the_fixed_file_is_the_edited_file_of_the_dump_with_the_fix_applied() {
    let a = analyze(Inputs { config: Some(DUMP.as_bytes()), listeners: Some(SS.as_bytes()), log: None });
    let views = a.views();
    let bg202 = views.iter().find(|v| v.code == Code::BG202.as_str()).expect("BG202");
    let fix = bg202.fix.as_ref().unwrap();
    assert_eq!(fix.fixed.len(), 1);
    let fixed = &fix.fixed[0];
    assert_eq!(fixed.file.as_deref(), Some("/etc/nginx/conf.d/app.conf"));
    assert!(fixed.text.starts_with("server {\n"), "{}", fixed.text);
    assert!(fixed.text.contains("proxy_pass http://127.0.0.1:3000;"));
    assert!(!fixed.text.contains("8000") && !fixed.text.contains("configuration file"));
    // Pasting it back in place of that file gives a config without the finding.
    let fixed_dump = DUMP.replace("proxy_pass http://127.0.0.1:8000;", "proxy_pass http://127.0.0.1:3000;");
    assert!(fixed_dump.contains(&fixed.text));
    let again =
        analyze(Inputs { config: Some(fixed_dump.as_bytes()), listeners: Some(SS.as_bytes()), log: None });
    assert!(again.findings.iter().all(|f| f.code != badgateway_core::code::Code::BG202));
}
