using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Relayguard.Operations.WebConsole;

/// <summary>
/// Serves the web console: <c>/</c> and its script and style sheet, embedded in this assembly so that nothing is
/// loaded from another host. The page is open without a token; its data comes from the API, which needs one.
/// </summary>
internal static class ConsoleEndpoints
{
    // Allows only this origin's own script, styles and API calls, and no framing, so that a string from the API
    // can never run as script even if it reached the page as markup. Images may also be data: URLs, because the
    // page declares its icon as "data:," to stop browsers requesting /favicon.ico, and Chromium checks icons
    // against img-src. A data: image makes no request and runs no script.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly (string Path, string Resource, string ContentType)[] Assets =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/console/console.js", "console.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "console.css", "text/css; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, resource, contentType) in Assets)
        {
            var content = Read(resource);
            // HEAD too, which uptime monitors and link checkers send; Kestrel sends no body for it.
            endpoints.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("console/" + resource)
            ?? throw new InvalidOperationException($"The console asset '{resource}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
