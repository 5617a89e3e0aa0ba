import StagehandApp

// All of the program is in StagehandApp, where tests reach it in process.
await StagehandCommandLine.run(Array(CommandLine.arguments.dropFirst()))
