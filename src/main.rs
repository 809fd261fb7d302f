use clap::Parser;

fn main() {
    let cli = crtlab::frontend::cli::Cli::parse();
    match crtlab::frontend::cli::main_with(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("crtlab: error: {e:#}");
            std::process::exit(1);
        }
    }
}
