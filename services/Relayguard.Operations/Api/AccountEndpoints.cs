using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Contracts;

namespace Relayguard.Operations.Api;

/// <summary>
/// <c>GET /api/accounts/{account}/ca1?windows=N</c>: the account's CA1 counts in its latest windows against the
/// thresholds, asked of the CA1 detector over the bus, for the console's chart.
/// </summary>
internal static class AccountEndpoints
{
    public const int DefaultWindows = 24;

    public static void Map(IEndpointRouteBuilder api) => QueryParameters.Allow(api.MapGet("/accounts/{account}/ca1", Ca1CountsAsync), "windows");

    private static async Task<IResult> Ca1CountsAsync(string account, string? windows, IRequestClient<GetCa1Counts> client, CancellationToken cancellationToken)
    {
        var errors = new ApiErrors();
        var accountValue = ApiInput.Account(ApiInput.DecodeSlashes(account), errors);
        var windowCount = DefaultWindows;
        if (windows is not null && (!int.TryParse(windows, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out windowCount) || windowCount is < 1 or > 168))
        {
            errors.Add("windows", $"Invalid windows '{windows}': use a whole number from 1 to 168.");
        }

        if (errors.Any)
        {
            return errors.ToResult();
        }

        try
        {
            var response = await client.GetResponse<Ca1Counts>(new GetCa1Counts { Account = accountValue!, Windows = windowCount }, cancellationToken);
            return Results.Ok(response.Message);
        }
        catch (RequestTimeoutException)
        {
            return Results.Problem(
                detail: "The CA1 detector did not answer in time, so there are no counts to show. Check that it is running and connected to the bus.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "CA1 detector unavailable");
        }
    }
}
