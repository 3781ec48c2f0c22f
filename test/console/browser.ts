/**
 * Headless Chromium for the console's tests: Debian's `chromium` package (`.ci/run` installs
 * it), driven by puppeteer-core. `chromium.reason` says why the suites skip when it is absent.
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].filter(Boolean) as string[];

export const chromium = {
  path: CANDIDATES.find((p) => existsSync(p)),
  get reason() {
    return this.path ? "" : "no Chromium found (install Debian's chromium package, or set CHROMIUM_PATH)";
  },
};

export async function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromium.path,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--window-size=1280,900"],
    defaultViewport: { width: 1280, height: 900 },
  });
}

/** A page that accepts every confirm() and fails the test on uncaught page errors. */
export async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  page.on("pageerror", (error) => errors.push(String(error)));
  page.setDefaultTimeout(15_000);
  return page;
}

/** Navigates to a console route and waits until its view has rendered (`data-ready`). */
export async function route(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    document.querySelector(".view")?.removeAttribute("data-done");
    if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = h;
  }, hash);
  await settle(page);
}

/** Waits for the current view to finish rendering (successfully or with an error). */
export async function settle(page: Page): Promise<void> {
  await page.waitForSelector(".view[data-done]");
}

export async function statusText(page: Page): Promise<string> {
  return page.$eval(".status", (el) => el.textContent ?? "");
}

/** Texts of the cells of a table `data-name`'s rows. */
export async function rows(page: Page, name: string): Promise<string[][]> {
  return page.$$eval(`table[data-name="${name}"] tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
}
