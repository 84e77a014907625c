using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MimeKit;

namespace Relayguard.Gateway.Dsn;

/// <summary><c>POST /api/dsn</c>: a raw bounce message in the body, read exactly as the DSN listener reads it.</summary>
public static class DsnApi
{
    /// <summary>The operations API's policy for changes; the bearer scheme comes from the operations service.</summary>
    public const string OperatePolicy = "operations-operate";

    public static IEndpointRouteBuilder MapDsnApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/dsn", ReceiveAsync).RequireAuthorization(OperatePolicy);
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, DsnIntake intake, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return Results.Problem(
                detail: $"The body is larger than the limit of {limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "this server's"} bytes. A delivery report with the returned headers is far smaller: send the bounce as the MTA delivered it.",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large");
        }
        if (body.Length == 0)
        {
            return InvalidBody("The body is empty. Send the bounce as a raw RFC 5322 message (message/rfc822), for example with curl --data-binary @bounce.eml.");
        }

        body.Position = 0;
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(body, cancellationToken);
        }
        catch (FormatException ex)
        {
            return InvalidBody($"The body could not be parsed as an RFC 5322 message ({ex.Message.TrimEnd('.')}). Send the bounce as a raw RFC 5322 message (message/rfc822) with its headers, as the MTA delivered it.");
        }

        // MimeKit reads any "Name: value" line as a header, so a text file can parse. Every message an MTA makes has
        // From and Date (RFC 5322 section 3.6), so a body with neither is not the bounce it was meant to be.
        if (!message.Headers.Contains(HeaderId.From) && !message.Headers.Contains(HeaderId.Date))
        {
            return InvalidBody("The body has neither a From nor a Date header, so it is not a whole message. Send the bounce as a raw RFC 5322 message (message/rfc822) with its headers, as the MTA delivered it.");
        }

        var result = await intake.ProcessAsync(message);
        return Results.Ok(new { kind = result.Kind, matched = result.Matched, gatewayMessageId = result.GatewayMessageId, bounces = result.Bounces, ignored = result.Ignored, why = result.Why });
    }

    /// <summary>
    /// Builds a 400 problem in the shape of the operations API's field errors: the title "Invalid request", and the
    /// message under <c>errors.body</c> and in <c>detail</c>.
    /// </summary>
    private static IResult InvalidBody(string message) =>
        Results.ValidationProblem(
            new Dictionary<string, string[]> { ["body"] = [message] },
            detail: $"body: {message}",
            title: "Invalid request");
}
