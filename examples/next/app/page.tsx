export default function Home() {
  return (
    <main>
      <h1>image-gateway on Next.js</h1>
      <p>
        <code>POST /v1/chat/completions</code> is served by <code>app/v1/[...path]/route.ts</code>.
      </p>
    </main>
  );
}
