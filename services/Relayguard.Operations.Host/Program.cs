using Relayguard.Operations;
using Relayguard.Operations.Tokens;
using Relayguard.ServiceDefaults;

// The operations service as a process of its own: the block registry, the operations API on Operations:Listen,
// and the responses to the gateways' catch-up requests, with its state in the store that Store:Kind names.
var builder = ServiceHost.CreateBuilder(args, "relayguard-operations", "Operations:Listen", "127.0.0.1:8025");

builder.AddOperationsStore();
builder.Services.AddOperations(builder.Configuration);
builder.Services.AddRelayguardBus(builder.Configuration, bus => bus.AddOperationsConsumers());

return await ServiceHost.RunAsync(builder, "relayguard-operations", app =>
{
    app.MapOperationsApi();

    // The first operator token is written before any listener opens, and only its path is logged.
    var tokenPath = OperatorTokens.EnsureInitialToken(app.Configuration["Data:Directory"] ?? "./data", app.Services.GetRequiredService<ITokenStore>());
    if (tokenPath is not null)
    {
        app.Logger.LogInformation("Wrote the first operator token to {TokenPath}; send it as 'Authorization: Bearer TOKEN'.", tokenPath);
    }
});
