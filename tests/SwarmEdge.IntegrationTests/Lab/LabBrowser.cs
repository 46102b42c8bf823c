using Microsoft.Playwright;

namespace SwarmEdge.IntegrationTests.Lab;

/// <summary>Debian's chromium, headless, driven by Playwright: no browser download, no connection out of this machine.</summary>
internal static class LabBrowser
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        // This machine's network is closed: no background connections, no component updates.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}
