using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>
/// Adds <c>Cache-Control: no-store</c> and <c>X-Content-Type-Options: nosniff</c> to every response under <c>/api</c>,
/// because the responses carry recipient addresses that no browser or proxy cache may keep. As a startup filter it
/// runs before the host's own middleware, so the 401 and 403 of authentication and every error response get the
/// headers too. Only the errors that Kestrel sends without calling the application, such as 431 for headers over
/// its limits, go without them.
/// </summary>
internal sealed class ApiResponseHeaders : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(AddToApiResponses);
        next(app);
    };

    private static Task AddToApiResponses(HttpContext context, RequestDelegate next)
    {
        // Routing ignores case, so /API/blocks reaches the same endpoint and gets the same headers.
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            // Set when the response starts, so that a handler that clears the response, as the exception handler
            // does, cannot drop them.
            context.Response.OnStarting(SetHeaders, context.Response);
        }

        return next(context);
    }

    private static Task SetHeaders(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        return Task.CompletedTask;
    }
}
