"""Pod WebSockets: live logs and an exec terminal (contract §7). Routes in pods.routing."""
