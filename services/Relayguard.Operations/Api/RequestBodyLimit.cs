using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Relayguard.Operations.Api;

/// <summary>
/// Turns the exception that Kestrel raises for a body over its size limit into an RFC 7807 problem that names the
/// limit. Without this filter the client gets 413 with an empty body.
/// </summary>
internal static class RequestBodyLimit
{
    public static async ValueTask<object?> ProblemOnTooLargeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            var detail = limit is { } bytes
                ? string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the limit of {bytes} bytes ({bytes / 1024.0 / 1024.0:0.#} MiB). Send a smaller body; a reason is at most {ApiInput.MaxReasonLength} characters.")
                : "The request body is larger than the server's limit. Send a smaller body.";
            return Results.Problem(detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
        }
    }
}
