// Starts Blazor (the page loads blazor.web.js with autostart="false") with reconnection that recovers by itself.
// Only options the 9.0 script supports are used: circuit.reconnectionOptions { maxRetries, retryIntervalMilliseconds, dialogId }.
(() => {
    const banner = document.getElementById("components-reconnect-modal");
    let retryingAfterFailure = false;

    // The script only sets classes on the banner; what to do next is decided here.
    const onBannerChange = async () => {
        if (banner.classList.contains("components-reconnect-rejected")) {
            // The server is back but no longer knows this page's circuit (it restarted): a fresh page is the only way.
            location.reload();
        } else if (banner.classList.contains("components-reconnect-failed") && !retryingAfterFailure) {
            // Retries ran out (only if maxRetries is ever lowered): keep trying, reloading once the server answers.
            retryingAfterFailure = true;
            while (true) {
                await new Promise(resolve => setTimeout(resolve, 5000));
                try {
                    const resumed = await Blazor.reconnect();
                    if (!resumed) location.reload();
                    break;
                } catch {
                    // The server is still away.
                }
            }
            retryingAfterFailure = false;
        }
    };
    if (banner) new MutationObserver(onBannerChange).observe(banner, { attributes: true, attributeFilter: ["class"] });
    // Wired here rather than with an onclick attribute: the Content-Security-Policy refuses inline handlers.
    document.getElementById("components-reconnect-reload")?.addEventListener("click", () => location.reload());

    Blazor.start({
        circuit: {
            reconnectionOptions: {
                // As good as unlimited: a desk left open overnight must come back by itself after a restart.
                maxRetries: Number.MAX_SAFE_INTEGER,
                // Quick at first (a blip), then every 2 s: cheap for the server, still quick to notice its return.
                retryIntervalMilliseconds: attempt => attempt < 5 ? 500 : 2000,
                dialogId: "components-reconnect-modal",
            },
        },
    });
})();
